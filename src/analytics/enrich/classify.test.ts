import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readUaFixture } from '../../../test/helpers/ua-fixtures.js';
import {
  classifyByMethodAndPurpose,
  classifyRequest,
  classifyUserAgent,
  isBotClass,
  type TrafficClass,
} from './classify.js';

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1';

describe('user agent fixtures (ABU-12)', () => {
  const bots = readUaFixture('bots.txt');
  const browsers = readUaFixture('browsers.txt');

  it('holds at least 200 distinct entries of each kind', () => {
    expect(bots.length).toBeGreaterThanOrEqual(200);
    expect(browsers.length).toBeGreaterThanOrEqual(200);
    expect(new Set(bots).size).toBe(bots.length);
    expect(new Set(browsers).size).toBe(browsers.length);
    expect(bots.filter((ua) => browsers.includes(ua))).toEqual([]);
  });

  it('flags at least 99 % of the bot user agents', () => {
    const missed = bots.filter((ua) => classifyUserAgent(ua) === 'human');
    expect(missed.length / bots.length, `missed: ${missed.join('\n')}`).toBeLessThanOrEqual(0.01);
  });

  it('flags at most 1 % of the real browser user agents', () => {
    const flagged = browsers.filter((ua) => classifyUserAgent(ua) !== 'human');
    expect(flagged.length / browsers.length, `flagged: ${flagged.join('\n')}`).toBeLessThanOrEqual(
      0.01,
    );
  });
});

describe('classifyUserAgent', () => {
  it.each([
    ['Slack', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
    ['X', 'Twitterbot/1.0'],
    ['Facebook', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
    [
      'iMessage',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
    ],
    ['WhatsApp', 'WhatsApp/2.23.20.0 A'],
    ['Signal (sends a WhatsApp UA)', 'WhatsApp/2'],
    ['Telegram', 'TelegramBot (like TwitterBot)'],
    ['Discord', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)'],
    [
      'LinkedIn',
      'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
    ],
    [
      'Skype',
      'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
    ],
    [
      'Teams',
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; MicrosoftPreview/2.0; +https://aka.ms/MicrosoftPreview) Chrome/120.0.0.0 Safari/537.36',
    ],
    [
      'Safe Links',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b',
    ],
    ['Outlook', 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)'],
    [
      'Google+ snippets',
      `${CHROME_WINDOWS} Google-PageRenderer Google (+https://developers.google.com/+/web/snippet/)`,
    ],
    ['Mattermost', 'Mattermost-Bot/1.1'],
    ['Pinterest', 'Pinterest/0.2 (+https://www.pinterest.com/bot.html)'],
    ['Reddit', 'Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)'],
    ['Embedly', 'Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)'],
    ['Barracuda', `${CHROME_WINDOWS} Barracuda Sentinel (EE)`],
  ])('recognises the %s previewer as an unfurler', (_app, ua) => {
    expect(classifyUserAgent(ua)).toBe('unfurler');
  });

  it.each([
    ['Facebook', `${SAFARI_IPHONE} [FBAN/FBIOS;FBAV/443.0.0.43.116;FBDV/iPhone14,5]`],
    ['Pinterest', `${SAFARI_IPHONE} [Pinterest/iOS]`],
    ['LinkedIn', `${SAFARI_IPHONE} [LinkedInApp]/9.29.7979`],
    ['X', `${SAFARI_IPHONE} Twitter for iPhone/10.6`],
    ['KakaoTalk', `${SAFARI_IPHONE} KAKAOTALK 10.4.5`],
    ['Instagram', `${SAFARI_IPHONE} Instagram 307.0.2.18.107 (iPhone14,2; iOS 17_1_1; en_US)`],
  ])("treats %s's in-app browser as a human", (_app, ua) => {
    expect(classifyUserAgent(ua)).toBe('human');
  });

  it.each([
    'curl/8.4.0',
    'Wget/1.21.4',
    'python-requests/2.31.0',
    'Go-http-client/2.0',
    'okhttp/4.12.0',
    'axios/1.6.2',
    'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)',
    'undici',
    'Java/17.0.9',
    'libwww-perl/6.72',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 Safari/537.36',
    'Dalvik/2.1.0 (Linux; U; Android 13; SM-A536B Build/TP1A.220624.014)',
    'Mozilla/5.0',
  ])('flags the tool %s as a bot', (ua) => {
    expect(classifyUserAgent(ua)).toBe('bot');
  });

  it('flags a missing, empty or blank user agent as a bot', () => {
    expect(classifyUserAgent(undefined)).toBe('bot');
    expect(classifyUserAgent('')).toBe('bot');
    expect(classifyUserAgent('   ')).toBe('bot');
  });

  it('flags a user agent longer than any browser sends without caching it', () => {
    expect(classifyUserAgent(`${CHROME_WINDOWS} ${'x'.repeat(2000)}`)).toBe('bot');
  });

  it('answers the same for the same string and never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (ua) => {
        const first = classifyUserAgent(ua);
        expect(['human', 'bot', 'unfurler']).toContain(first);
        expect(classifyUserAgent(ua)).toBe(first);
      }),
    );
  });
});

describe('classifyRequest', () => {
  const browserGet = { userAgent: CHROME_WINDOWS, method: 'GET' };

  it('is human for a browser GET without speculative headers', () => {
    expect(classifyRequest(browserGet)).toBe('human');
    expect(classifyByMethodAndPurpose(browserGet)).toBeNull();
  });

  it('is head for every HEAD request, whatever the user agent', () => {
    expect(classifyRequest({ ...browserGet, method: 'HEAD' })).toBe('head');
    expect(classifyRequest({ userAgent: 'curl/8.4.0', method: 'HEAD' })).toBe('head');
  });

  it.each<[string, Partial<Record<'secPurpose' | 'purpose' | 'xPurpose' | 'xMoz', string>>]>([
    ['Sec-Purpose: prefetch', { secPurpose: 'prefetch' }],
    ['Sec-Purpose: prefetch;prerender', { secPurpose: 'prefetch;prerender' }],
    ['Sec-Purpose: prefetch;anonymous-client-ip', { secPurpose: 'prefetch;anonymous-client-ip' }],
    ['Purpose: prefetch', { purpose: 'prefetch' }],
    ['Purpose: Prefetch (any case)', { purpose: ' Prefetch ' }],
    ['X-Purpose: preview', { xPurpose: 'preview' }],
    ['X-Moz: prefetch', { xMoz: 'prefetch' }],
    ['X-Purpose folded into purpose', { purpose: 'preview' }],
  ])('is prefetch for %s', (_header, headers) => {
    expect(classifyRequest({ ...browserGet, ...headers })).toBe('prefetch');
  });

  it('ignores empty and unrelated purpose values', () => {
    expect(classifyRequest({ ...browserGet, secPurpose: '', purpose: 'navigate' })).toBe('human');
  });

  it('lets HEAD win over prefetch and prefetch win over the user agent', () => {
    expect(classifyRequest({ ...browserGet, method: 'HEAD', purpose: 'prefetch' })).toBe('head');
    expect(
      classifyRequest({ userAgent: 'Twitterbot/1.0', method: 'GET', purpose: 'prefetch' }),
    ).toBe('prefetch');
  });
});

describe('isBotClass', () => {
  it('counts everything but human as bot traffic', () => {
    const classes: TrafficClass[] = ['human', 'bot', 'unfurler', 'prefetch', 'head'];
    expect(classes.filter(isBotClass)).toEqual(['bot', 'unfurler', 'prefetch', 'head']);
  });
});
