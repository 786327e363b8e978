import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { rawRequest } from '../helpers/http.js';
import { createLink, hit, locations, type CreatedLink } from '../helpers/redirect.js';

const PASSWORD = 'open sesame 42';

describe('password-protected links (RED-15)', () => {
  let t: TestApp;
  let user: TestUser;
  let a: CreatedLink;
  let b: CreatedLink;
  const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
  beforeAll(async () => {
    t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open', QRLINK_TRUSTED_PROXIES: '127.0.0.1/32' },
      overrides: { clock },
    });
    user = await signUp(t.url);
    a = await createLink(user, { url: 'https://example.com/secret-a', password: PASSWORD });
    b = await createLink(user, { url: 'https://example.com/secret-b', password: PASSWORD });
  });
  afterAll(() => t.close());

  const post = (code: string, body: string, headers: Record<string, string> = {}, path = '') =>
    rawRequest(t.url, `/${code}${path}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      },
    });
  const form = (password: string) => `password=${encodeURIComponent(password)}`;
  const cookieOf = (setCookie: string[] | undefined) =>
    (setCookie?.[0] ?? '').split(';')[0] as string;

  it('shows a no-store form on GET and HEAD, never a redirect', async () => {
    const res = await hit(t.url, `/${a.code}`);
    expect(res.status).toBe(200);
    expect(locations(res)).toEqual([]);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.text).toContain('<form method="post"');
    expect(res.text).toContain('type="password"');
    expect(res.text).not.toContain('secret-a');
    const head = await hit(t.url, `/${a.code}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(locations(head)).toEqual([]);
    const view = await user.api.request('GET', `/api/v1/links/${a.id}`);
    expect(view.body.hasPassword).toBe(true);
    expect(JSON.stringify(view.body)).not.toContain('argon2');
  });

  it('never takes the password from the query string', async () => {
    const q = `?password=${encodeURIComponent(PASSWORD)}`;
    const get = await hit(t.url, `/${a.code}${q}`, { 'x-forwarded-for': '192.0.2.10' });
    expect(get.status).toBe(200);
    expect(locations(get)).toEqual([]);
    const postQuery = await post(a.code, '', { 'x-forwarded-for': '192.0.2.10' }, q);
    expect(postQuery.status).toBe(400);
    expect(postQuery.headers['set-cookie']).toBeUndefined();
    const json = await post(a.code, JSON.stringify({ password: PASSWORD }), {
      'content-type': 'application/json',
      'x-forwarded-for': '192.0.2.10',
    });
    expect(json.status).toBe(400);
  });

  it('answers 401 to wrong passwords and 429 with Retry-After after 5 a minute per IP', async () => {
    const ip = { 'x-forwarded-for': '192.0.2.20' };
    for (let i = 0; i < 5; i++) {
      const wrong = await post(a.code, form(`wrong ${i}`), ip);
      expect(wrong.status, `attempt ${i + 1}`).toBe(401);
      expect(wrong.headers['set-cookie']).toBeUndefined();
    }
    for (const password of ['still wrong', PASSWORD]) {
      const blocked = await post(a.code, form(password), ip);
      expect(blocked.status).toBe(429);
      const retry = Number(blocked.headers['retry-after']);
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(60);
      expect(blocked.headers['set-cookie']).toBeUndefined();
    }
    // Another visitor and another link are not blocked.
    expect((await post(a.code, form('nope'), { 'x-forwarded-for': '192.0.2.21' })).status).toBe(
      401,
    );
    expect((await post(b.code, form('nope'), ip)).status).toBe(401);
    clock.advance(61_000);
    expect((await post(a.code, form(PASSWORD), ip)).status).toBe(303);
  });

  it('grants a signed cookie scoped to the link path; it opens that link only', async () => {
    const ok = await post(a.code, form(PASSWORD), { 'x-forwarded-for': '192.0.2.30' });
    expect(ok.status).toBe(303);
    expect(locations(ok)).toEqual([`/${a.code}`]);
    expect(ok.headers['cache-control']).toBe('no-store');
    const setCookie = ok.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toContain(`Path=/${a.code};`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toMatch(/Max-Age=\d+/);
    expect(setCookie).not.toContain(PASSWORD);
    const cookie = cookieOf(ok.headers['set-cookie']);

    for (const path of [`/${a.code}`, `/${a.code}/Q`]) {
      const res = await hit(t.url, path, { cookie });
      expect(res.status, path).toBe(302);
      expect(locations(res)).toEqual(['https://example.com/secret-a']);
    }
    // A's cookie, as is or renamed to B's cookie name, does not open B.
    expect((await hit(t.url, `/${b.code}`, { cookie })).status).toBe(200);
    const [, value] = cookie.split('=');
    const forB = `qrl_pw_${b.id.slice(-12)}=${value}`;
    expect((await hit(t.url, `/${b.code}`, { cookie: forB })).status).toBe(200);
    // Tampered or expired cookies are worthless.
    const tampered = cookie.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect((await hit(t.url, `/${a.code}`, { cookie: tampered })).status).toBe(200);
    const [name, grant] = cookie.split('=') as [string, string];
    const [expires, signature] = grant.split('.') as [string, string];
    const extended = `${name}=${Number(expires) + 3600_000}.${signature}`;
    expect((await hit(t.url, `/${a.code}`, { cookie: extended })).status).toBe(200);
    clock.advance(16 * 60_000);
    expect((await hit(t.url, `/${a.code}`, { cookie })).status).toBe(200);
  });

  it('accepts the password on the QR path too, and never logs it', async () => {
    const ok = await post(b.code, form(PASSWORD), { 'x-forwarded-for': '192.0.2.40' }, '/Q');
    expect(ok.status).toBe(303);
    expect(locations(ok)).toEqual([`/${b.code}/Q`]);
    expect(ok.headers['set-cookie']?.[0]).toContain(`Path=/${b.code};`);
    const res = await hit(t.url, `/${b.code}/Q`, { cookie: cookieOf(ok.headers['set-cookie']) });
    expect(locations(res)).toEqual(['https://example.com/secret-b']);
    expect(t.logs.some((line) => line.includes(PASSWORD))).toBe(false);
    expect(t.logs.some((line) => line.includes(encodeURIComponent(PASSWORD)))).toBe(false);
  });

  it('stops asking once the password is removed, and refuses POST on open links', async () => {
    const c = await createLink(user, { url: 'https://example.com/c', password: PASSWORD });
    expect((await hit(t.url, `/${c.code}`)).status).toBe(200);
    expect(
      (await user.api.request('PATCH', `/api/v1/links/${c.id}`, { password: null })).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect((await hit(t.url, `/${c.code}`)).status).toBe(302);
    const open = await post(c.code, form(PASSWORD));
    expect(open.status).toBe(405);
    expect(open.headers.allow).toBe('GET, HEAD');
  });
});
