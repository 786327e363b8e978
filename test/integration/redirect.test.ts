import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { rawRequest } from '../helpers/http.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('redirect engine', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open', QRLINK_BASE_URL: 'http://127.0.0.1:8080' },
    });
    user = await signUp(t.url);
  });
  afterAll(() => t.close());

  async function createLink(body: Record<string, unknown>) {
    const res = await user.api.request('POST', '/api/v1/links', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; code: string; shortUrl: string };
  }

  it('answers 302 with exactly one ASCII Location, bounded caching and no cookies', async () => {
    const link = await createLink({ url: 'https://example.com/landing?x=1' });
    const res = await rawRequest(t.url, `/${link.code}`, { headers: { 'user-agent': DESKTOP } });
    expect(res.status).toBe(302);
    const locations = res.rawHeaders.filter(([name]) => name === 'location');
    expect(locations).toEqual([['location', 'https://example.com/landing?x=1']]);
    expect(locations[0]?.[1]).toMatch(/^[\x21-\x7e]+$/);
    expect(res.headers['cache-control']).toBe('private, max-age=0');
    expect(res.headers['x-robots-tag']).toBe('noindex');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('looks codes up case-insensitively and tells QR scans by the /Q marker', async () => {
    const link = await createLink({ url: 'https://example.com/a' });
    for (const path of [
      `/${link.code.toLowerCase()}`,
      `/${link.code}/Q`,
      `/${link.code.toLowerCase()}/q`,
    ]) {
      const res = await rawRequest(t.url, path);
      expect(res.status, path).toBe(302);
      expect(res.headers.location).toBe('https://example.com/a');
    }
  });

  it('sends an iPhone to the iOS rule and others to the default', async () => {
    const link = await createLink({
      url: 'https://example.com/web',
      rules: [{ when: { os: ['ios'] }, url: 'https://apps.apple.com/app/id1' }],
    });
    expect(
      (await rawRequest(t.url, `/${link.code}`, { headers: { 'user-agent': IPHONE } })).headers
        .location,
    ).toBe('https://apps.apple.com/app/id1');
    expect(
      (await rawRequest(t.url, `/${link.code}`, { headers: { 'user-agent': DESKTOP } })).headers
        .location,
    ).toBe('https://example.com/web');
  });

  it('answers unknown codes, malformed paths and bad encodings without a 500', async () => {
    expect((await rawRequest(t.url, '/ZZZZZZZZ')).status).toBe(404);
    for (const path of ['/%E0%A4%A', '/%ZZ', `/${'a'.repeat(5000)}`, '/a/b/c', '/..%2f..%2fetc']) {
      const res = await rawRequest(t.url, path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it('sees an edit within a second', async () => {
    const link = await createLink({ url: 'https://example.com/v1' });
    expect((await rawRequest(t.url, `/${link.code}`)).headers.location).toBe(
      'https://example.com/v1',
    );
    await user.api.request('PATCH', `/api/v1/links/${link.id}`, { url: 'https://example.com/v2' });
    const deadline = Date.now() + 1000;
    let location: string | undefined;
    while (Date.now() < deadline) {
      location = (await rawRequest(t.url, `/${link.code}`)).headers.location;
      if (location === 'https://example.com/v2') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(location).toBe('https://example.com/v2');
    await user.api.request('DELETE', `/api/v1/links/${link.id}`);
    await new Promise((r) => setTimeout(r, 600));
    expect((await rawRequest(t.url, `/${link.code}`)).status).toBe(404);
  });
});

describe('enumeration throttle (RED-09)', () => {
  const clock = new ManualClock(Date.parse('2026-11-26T10:00:00Z'));
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open', QRLINK_TRUSTED_PROXIES: '127.0.0.1' },
      overrides: { clock, missBudget: { limit: 20, windowMs: 60_000 } },
    });
    user = await signUp(t.url);
  });
  afterAll(() => t.close());

  const from = (ip: string, path: string) =>
    rawRequest(t.url, path, { headers: { 'user-agent': DESKTOP, 'x-forwarded-for': ip } });

  it('turns a client’s misses past its budget into 429s, while its hits keep redirecting', async () => {
    const created = await user.api.request('POST', '/api/v1/links', {
      url: 'https://example.com/valid',
    });
    const code = (created.body as { code: string }).code;
    const scanner = '198.51.100.20';
    for (let i = 0; i < 20; i++) {
      expect((await from(scanner, `/ZZZZ${String(i).padStart(4, '0')}`)).status).toBe(404);
    }
    const refused = await from(scanner, '/ZZZZ9999');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['content-type']).toContain('text/html');
    expect((await from(scanner, `/${code}`)).status).toBe(302);
    expect((await from('198.51.100.21', '/ZZZZ9999')).status).toBe(404);

    const metrics = await rawRequest(t.url, '/metrics');
    expect(String(metrics.body)).toMatch(/^qrlink_redirect_throttled_total 1$/m);

    clock.advance(60_000);
    expect((await from(scanner, '/ZZZZ9999')).status).toBe(404);
  });
});
