import { describe, expect, it } from 'vitest';
import { readUaFixture } from '../../test/helpers/ua-fixtures.js';
import { parseUserAgent, type UserAgentInfo } from './user-agent.js';

const cases: [string, string, UserAgentInfo][] = [
  [
    'iPhone Safari',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1',
    { device: 'mobile', os: 'ios', browser: 'safari' },
  ],
  [
    'iPhone Chrome',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
    { device: 'mobile', os: 'ios', browser: 'chrome' },
  ],
  [
    'iPad Safari',
    'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
    { device: 'tablet', os: 'ios', browser: 'safari' },
  ],
  [
    'Android phone Chrome (reduced UA)',
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    { device: 'mobile', os: 'android', browser: 'chrome' },
  ],
  [
    'Android tablet Chrome',
    'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { device: 'tablet', os: 'android', browser: 'chrome' },
  ],
  [
    'Android phone Firefox',
    'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0',
    { device: 'mobile', os: 'android', browser: 'firefox' },
  ],
  [
    'Android WebView (in-app)',
    'Mozilla/5.0 (Linux; Android 12; SM-A525F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36',
    { device: 'mobile', os: 'android', browser: 'other' },
  ],
  [
    'Samsung Internet',
    'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
    { device: 'mobile', os: 'android', browser: 'samsung' },
  ],
  [
    'Opera on Android',
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 OPR/79.0.4195.76872',
    { device: 'mobile', os: 'android', browser: 'opera' },
  ],
  [
    'Opera Mini',
    'Opera/9.80 (Android; Opera Mini/7.5.33361/191.308; U; en) Presto/2.12.423 Version/12.16',
    { device: 'mobile', os: 'android', browser: 'opera' },
  ],
  [
    'Windows Chrome',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    { device: 'desktop', os: 'windows', browser: 'chrome' },
  ],
  [
    'Windows Edge',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    { device: 'desktop', os: 'windows', browser: 'edge' },
  ],
  [
    'Windows Firefox',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    { device: 'desktop', os: 'windows', browser: 'firefox' },
  ],
  [
    'Windows Opera',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0',
    { device: 'desktop', os: 'windows', browser: 'opera' },
  ],
  [
    'Internet Explorer 11',
    'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko',
    { device: 'desktop', os: 'windows', browser: 'other' },
  ],
  [
    'macOS Safari',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
    { device: 'desktop', os: 'macos', browser: 'safari' },
  ],
  [
    'macOS Chrome',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    { device: 'desktop', os: 'macos', browser: 'chrome' },
  ],
  [
    'Linux Firefox',
    'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    { device: 'desktop', os: 'linux', browser: 'firefox' },
  ],
  [
    'Ubuntu Firefox',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
    { device: 'desktop', os: 'linux', browser: 'firefox' },
  ],
  [
    'Ubuntu Chromium',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/80.0.3987.163 Chrome/80.0.3987.163 Safari/537.36',
    { device: 'desktop', os: 'linux', browser: 'chrome' },
  ],
  [
    'ChromeOS',
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    { device: 'desktop', os: 'chromeos', browser: 'chrome' },
  ],
  [
    'Instagram in-app on iOS',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/21B91 Instagram 307.0.2.18.107 (iPhone14,2; iOS 17_1_1; en_US; en; scale=3.00; 1170x2532; 531419938)',
    { device: 'mobile', os: 'ios', browser: 'other' },
  ],
  [
    'FreeBSD Firefox (an OS outside the enum)',
    'Mozilla/5.0 (X11; FreeBSD amd64; rv:109.0) Gecko/20100101 Firefox/115.0',
    { device: 'desktop', os: null, browser: 'firefox' },
  ],
  ['no user agent', '', { device: 'desktop', os: null, browser: null }],
];

describe('parseUserAgent', () => {
  it.each(cases)('reads %s', (_name, ua, expected) => {
    expect(parseUserAgent(ua)).toEqual(expected);
  });

  it('answers from its cache with the same result', () => {
    const ua = cases[0]?.[1] ?? '';
    expect(parseUserAgent(ua)).toBe(parseUserAgent(ua));
  });

  it('gives every browser in the fixture an enum value', () => {
    const devices = new Set(['mobile', 'tablet', 'desktop']);
    for (const ua of readUaFixture('browsers.txt')) {
      const info = parseUserAgent(ua);
      expect(devices.has(info.device), ua).toBe(true);
      expect(info.browser, ua).not.toBeNull();
    }
  });
});
