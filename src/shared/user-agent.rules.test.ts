import { describe, expect, it } from 'vitest';
import { parseUserAgent } from './user-agent.js';
import { primaryLanguage } from './language.js';

const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

describe('parseUserAgent', () => {
  it.each([
    [IPHONE_SAFARI, 'mobile', 'ios', 'safari'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
      'mobile',
      'ios',
      'chrome',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0.0',
      'mobile',
      'ios',
      'other',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
      'tablet',
      'ios',
      'safari',
    ],
    // iPadOS Safari in its default desktop mode is indistinguishable from a Mac.
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      'desktop',
      'macos',
      'safari',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
      'mobile',
      'android',
      'chrome',
    ],
    [
      'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'tablet',
      'android',
      'chrome',
    ],
    [
      'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'tablet',
      'android',
      'chrome',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
      'mobile',
      'android',
      'samsung',
    ],
    [
      'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
      'mobile',
      'android',
      'firefox',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.0.0',
      'mobile',
      'android',
      'edge',
    ],
    [
      'Opera/9.80 (Android; Opera Mini/36.2.2254/191.249; U; en) Presto/2.12.423 Version/12.16',
      'mobile',
      'android',
      'opera',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
      'desktop',
      'windows',
      'edge',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
      'desktop',
      'windows',
      'firefox',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0',
      'desktop',
      'linux',
      'opera',
    ],
    [
      'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
      'desktop',
      'linux',
      'firefox',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'desktop',
      'chromeos',
      'chrome',
    ],
    [
      'Mozilla/5.0 (Linux; Android 9; SHIELD Android TV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
      'desktop',
      'android',
      'chrome',
    ],
    // Clients that are not browsers have no browser family: a `browser` rule never matches them.
    ['curl/8.5.0', 'desktop', null, null],
    [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'desktop',
      null,
      null,
    ],
  ])('%s', (ua, device, os, browser) => {
    expect(parseUserAgent(ua)).toEqual({ device, os, browser });
  });

  it('has no browser and no OS without a user agent', () => {
    expect(parseUserAgent('')).toEqual({ device: 'desktop', os: null, browser: null });
    expect(parseUserAgent('   ')).toEqual({ device: 'desktop', os: null, browser: null });
  });

  it('answers repeated user agents from its cache, and stays correct past its size', () => {
    expect(parseUserAgent(IPHONE_SAFARI)).toBe(parseUserAgent(IPHONE_SAFARI));
    for (let i = 0; i < 2500; i++) parseUserAgent(`${IPHONE_SAFARI} build/${i}`);
    expect(parseUserAgent(IPHONE_SAFARI)).toEqual({
      device: 'mobile',
      os: 'ios',
      browser: 'safari',
    });
  });

  it('reads only the start of an oversized header', () => {
    expect(parseUserAgent(IPHONE_SAFARI + ' x'.repeat(100_000))).toEqual({
      device: 'mobile',
      os: 'ios',
      browser: 'safari',
    });
  });
});

describe('primaryLanguage', () => {
  it.each<[string | undefined, string | null]>([
    ['de-DE,de;q=0.9,en;q=0.8', 'de'],
    ['en-US', 'en'],
    ['EN-gb', 'en'],
    ['fr;q=0.5, de;q=0.9', 'de'],
    ['en;q=0.8, fr;q=0.8', 'en'],
    ['*;q=1, es;q=0.4', 'es'],
    ['de;q=0, en;q=0.1', 'en'],
    ['fil-PH', 'fil'],
    ['zh-Hant-TW;q=1.0', 'zh'],
    ['x-klingon, de;q=0.3', 'de'],
    ['en;q=abc, de;q=0.2', 'de'],
    ['de;Q=0.2;level=1, en;q=0.1', 'de'],
    ['', null],
    [undefined, null],
    ['*', null],
    ['de;q=0', null],
    [',,,', null],
    ['12, de-DE', 'de'],
  ])('%j → %j', (header, expected) => {
    expect(primaryLanguage(header)).toBe(expected);
  });

  it('reads a bounded number of entries', () => {
    expect(primaryLanguage(`${'9,'.repeat(10_000)}de`)).toBeNull();
  });
});
