import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { createLink, hit, locations, UA, type CreatedLink } from '../helpers/redirect.js';

/** Wednesday 3 June 2026, 10:00 in Berlin (CEST, UTC+2). */
const WEDNESDAY_10_BERLIN = Date.parse('2026-06-03T08:00:00Z');

describe('smart rules through the redirect endpoint', () => {
  let t: TestApp;
  let user: TestUser;
  const clock = new ManualClock(WEDNESDAY_10_BERLIN);
  beforeAll(async () => {
    t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open', QRLINK_TRUSTED_PROXIES: '127.0.0.1/32' },
      overrides: {
        clock,
        rateLimits: {
          api: { limit: 100_000, windowMs: 60_000 },
          auth: { limit: 1000, windowMs: 60_000 },
        },
      },
    });
    user = await signUp(t.url);
  });
  afterAll(() => t.close());

  const link = (body: Record<string, unknown>) => createLink(user, body);
  const to = async (created: CreatedLink, headers: Record<string, string> = {}, query = '') => {
    const res = await hit(t.url, `/${created.code}${query}`, headers);
    expect([301, 302, 307, 308]).toContain(res.status);
    const [location, ...more] = locations(res);
    expect(more).toEqual([]);
    return location;
  };
  const D = 'https://example.com/default';

  it('matches device, OS and browser from real user agents', async () => {
    const device = await link({
      url: D,
      rules: [
        { when: { device: ['tablet'] }, url: 'https://example.com/tablet' },
        { when: { device: ['mobile'] }, url: 'https://example.com/mobile' },
      ],
    });
    expect(await to(device, { 'user-agent': UA.iphone })).toBe('https://example.com/mobile');
    expect(await to(device, { 'user-agent': UA.android })).toBe('https://example.com/mobile');
    expect(await to(device, { 'user-agent': UA.ipad })).toBe('https://example.com/tablet');
    expect(await to(device, { 'user-agent': UA.windowsChrome })).toBe(D);

    const os = await link({
      url: D,
      rules: ['ios', 'android', 'windows', 'macos', 'linux', 'chromeos'].map((name) => ({
        when: { os: [name] },
        url: `https://example.com/${name}`,
      })),
    });
    for (const [ua, name] of [
      [UA.iphone, 'ios'],
      [UA.android, 'android'],
      [UA.windowsChrome, 'windows'],
      [UA.macSafari, 'macos'],
      [UA.linuxFirefox, 'linux'],
      [UA.chromeos, 'chromeos'],
    ] as const) {
      expect(await to(os, { 'user-agent': ua }), name).toBe(`https://example.com/${name}`);
    }
    expect(await to(os, { 'user-agent': 'curl/8.5.0' })).toBe(D);

    const browser = await link({
      url: D,
      rules: ['edge', 'firefox', 'samsung', 'safari', 'chrome'].map((name) => ({
        when: { browser: [name] },
        url: `https://example.com/${name}`,
      })),
    });
    for (const [ua, name] of [
      [UA.windowsEdge, 'edge'],
      [UA.linuxFirefox, 'firefox'],
      [UA.samsung, 'samsung'],
      [UA.macSafari, 'safari'],
      [UA.iphone, 'safari'],
      [UA.windowsChrome, 'chrome'],
    ] as const) {
      expect(await to(browser, { 'user-agent': ua }), name).toBe(`https://example.com/${name}`);
    }
  });

  it('reads the country from a trusted proxy and the language from Accept-Language', async () => {
    const created = await link({
      url: D,
      rules: [
        { when: { country: ['DE', 'AT'], language: ['de'] }, url: 'https://example.com/de-de' },
        { when: { country: ['DE', 'AT'] }, url: 'https://example.com/dach' },
        { when: { language: ['fr'] }, url: 'https://example.com/fr' },
      ],
    });
    expect(await to(created, { 'cf-ipcountry': 'DE', 'accept-language': 'de-DE,de;q=0.9' })).toBe(
      'https://example.com/de-de',
    );
    expect(await to(created, { 'x-country-code': 'at', 'accept-language': 'en-GB' })).toBe(
      'https://example.com/dach',
    );
    expect(
      await to(created, { 'cf-ipcountry': 'US', 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' }),
    ).toBe('https://example.com/fr');
    expect(await to(created, { 'cf-ipcountry': 'XX', 'accept-language': 'de' })).toBe(D);
    expect(await to(created, { 'cf-ipcountry': 'DEU' })).toBe(D);
    expect(await to(created)).toBe(D);
  });

  it('follows the time window, date range, query and referrer conditions', async () => {
    const created = await link({
      url: D,
      rules: [
        { when: { query: { ref: 'print', promo: true } }, url: 'https://example.com/print' },
        { when: { referrer: ['news.example'] }, url: 'https://example.com/news' },
        {
          when: {
            time: {
              from: '09:00',
              to: '17:00',
              days: ['mon', 'tue', 'wed', 'thu', 'fri'],
              tz: 'Europe/Berlin',
            },
          },
          url: 'https://example.com/office',
        },
        {
          when: { dates: { from: '2026-06-06T00:00:00Z', to: '2026-06-08T00:00:00Z' } },
          url: 'https://example.com/weekend-event',
        },
      ],
    });
    try {
      expect(await to(created, {}, '?ref=print&promo=')).toBe('https://example.com/print');
      expect(await to(created, {}, '?ref=print')).toBe('https://example.com/office');
      expect(await to(created, {}, '?ref=Print&promo=1')).toBe('https://example.com/office');
      expect(await to(created, { referer: 'https://m.news.example/story' })).toBe(
        'https://example.com/news',
      );
      expect(await to(created, { referer: 'https://fakenews.example/' })).toBe(
        'https://example.com/office',
      );
      clock.set(Date.parse('2026-06-03T15:30:00Z')); // 17:30 in Berlin
      expect(await to(created)).toBe(D);
      clock.set(Date.parse('2026-06-03T06:59:00Z')); // 08:59
      expect(await to(created)).toBe(D);
      clock.set(Date.parse('2026-06-03T07:00:00Z')); // 09:00
      expect(await to(created)).toBe('https://example.com/office');
      clock.set(Date.parse('2026-06-06T08:00:00Z')); // Saturday 10:00, inside the dates
      expect(await to(created)).toBe('https://example.com/weekend-event');
      clock.set(Date.parse('2026-06-08T00:00:00Z')); // Monday 02:00: dates are over
      expect(await to(created)).toBe(D);
    } finally {
      clock.set(WEDNESDAY_10_BERLIN);
    }
  });

  it('counts human scans for scan-number rules; the first matching rule decides', async () => {
    const created = await link({
      url: D,
      rules: [
        { when: { scans: { lte: 2 } }, url: 'https://example.com/first-two' },
        { when: { scans: { gt: 4 } }, url: 'https://example.com/late' },
        { when: { os: ['windows'] }, url: 'https://example.com/never-before-late' },
      ],
    });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      seen.push((await to(created, { 'user-agent': UA.macSafari })) as string);
      // Bots and HEAD requests in between do not move the scan number.
      await hit(t.url, `/${created.code}`, { 'user-agent': UA.googlebot });
      await hit(t.url, `/${created.code}`, {}, 'HEAD');
    }
    expect(seen).toEqual([
      'https://example.com/first-two',
      'https://example.com/first-two',
      D,
      D,
      'https://example.com/late',
      'https://example.com/late',
    ]);
    expect(await to(created, { 'user-agent': UA.windowsChrome })).toBe('https://example.com/late');
  });

  it('splits 70/30 across distinct visitors within tolerance, sticky per visitor', async () => {
    const created = await link({
      url: D,
      rules: [
        {
          when: { device: ['desktop'] },
          split: [
            { url: 'https://example.com/a', weight: 70 },
            { url: 'https://example.com/b', weight: 30 },
          ],
        },
      ],
    });
    const visitors = 2000;
    const ipOf = (i: number) => `203.0.${i >> 8}.${i & 255}`;
    const first = new Array<string>(visitors);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < visitors) {
          const i = next++;
          first[i] = (await to(created, { 'x-forwarded-for': ipOf(i) })) as string;
        }
      }),
    );
    const share = first.filter((url) => url === 'https://example.com/a').length / visitors;
    // σ = √(0.7·0.3/2000) ≈ 0.0102: ±0.045 is more than 4σ.
    expect(share).toBeGreaterThan(0.655);
    expect(share).toBeLessThan(0.745);
    expect(
      first.every((url) => url === 'https://example.com/a' || url === 'https://example.com/b'),
    ).toBe(true);
    for (let i = 0; i < 40; i++) {
      for (let again = 0; again < 3; again++) {
        expect(await to(created, { 'x-forwarded-for': ipOf(i) })).toBe(first[i]);
      }
    }
  });

  it('moves an expiring link to its expired URL when the time comes', async () => {
    const created = await link({
      url: D,
      expiresAt: new Date(clock.now() + 3600_000).toISOString(),
      expiredUrl: 'https://example.com/over',
    });
    try {
      expect(await to(created)).toBe(D);
      clock.advance(3600_000);
      expect(await to(created)).toBe('https://example.com/over');
    } finally {
      clock.set(WEDNESDAY_10_BERLIN);
    }
  });

  it('simulates: which rule, why, and where, the same as the live redirect', async () => {
    const created = await link({
      url: D,
      rules: [
        { when: { os: ['ios'] }, url: 'https://example.com/ios', label: 'iPhone users' },
        {
          when: { country: ['DE'], language: ['de'] },
          split: [
            { url: 'https://example.com/de-a', weight: 1 },
            { url: 'https://example.com/de-b', weight: 1 },
          ],
        },
        { when: { query: { ref: 'print' } }, url: 'https://example.com/print' },
        {
          when: { time: { from: '18:00', to: '20:00', tz: 'Europe/Berlin' } },
          url: 'https://example.com/evening',
        },
      ],
    });
    const simulate = async (body: Record<string, unknown>) => {
      const res = await user.api.request('POST', `/api/v1/links/${created.id}/simulate`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as {
        rule: number | null;
        variant: number | null;
        reason: string;
        url: string;
        rules: { index: number; matched: boolean; failedOn?: string; visitor?: string }[];
      };
    };

    const ios = await simulate({ userAgent: UA.iphone });
    expect(ios).toMatchObject({ rule: 0, variant: null, url: 'https://example.com/ios' });
    expect(ios.reason).toContain('iPhone users');
    expect(ios.reason).toContain('os=ios');
    expect(await to(created, { 'user-agent': UA.iphone })).toBe(ios.url);

    const german = await simulate({
      userAgent: UA.windowsChrome,
      country: 'de',
      language: 'de-DE,de;q=0.9',
      ip: '198.51.100.1',
    });
    expect(german.rule).toBe(1);
    expect([0, 1]).toContain(german.variant);
    expect(german.url).toBe(
      german.variant === 0 ? 'https://example.com/de-a' : 'https://example.com/de-b',
    );
    expect(german.reason).toContain('country=DE');
    expect(german.reason).toContain('split');
    expect(
      await simulate({
        userAgent: UA.windowsChrome,
        country: 'de',
        language: 'de-DE,de;q=0.9',
        ip: '198.51.100.1',
      }),
    ).toEqual(german);

    const print = await simulate({ userAgent: UA.windowsChrome, query: { ref: 'print' } });
    expect(print).toMatchObject({ rule: 2, url: 'https://example.com/print' });

    const evening = await simulate({ time: '2026-06-03T16:30:00Z' });
    expect(evening).toMatchObject({ rule: 3, url: 'https://example.com/evening' });

    const none = await simulate({
      userAgent: UA.windowsChrome,
      country: 'FR',
      language: 'fr',
      query: { ref: 'web' },
      time: '2026-06-03T10:00:00Z',
    });
    expect(none.rule).toBeNull();
    expect(none.url).toBe(D);
    expect(none.reason).toContain('no rule matched');
    expect(none.rules.map((r) => [r.matched, r.failedOn, r.visitor])).toEqual([
      [false, 'os', 'windows'],
      [false, 'language', 'fr'],
      [false, 'query', 'ref="web"'],
      [false, 'time', expect.stringContaining('12:00')],
    ]);
    expect(await to(created, { 'user-agent': UA.windowsChrome }, '?ref=web')).toBe(D);

    const plain = await link({ url: D });
    const noRules = await user.api.request('POST', `/api/v1/links/${plain.id}/simulate`, {});
    expect(noRules.body).toMatchObject({ rule: null, url: D });
    expect(
      (
        await user.api.request('POST', `/api/v1/links/${created.id}/simulate`, {
          country: 'Germany',
        })
      ).status,
    ).toBe(400);
    const stranger = await signUp(t.url);
    expect(
      (await stranger.api.request('POST', `/api/v1/links/${created.id}/simulate`, {})).status,
    ).toBe(404);
  });
});
