import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { signUp, startTestApp, type Dialect, type TestApp, type TestUser } from '../helpers/app.js';
import { openConnections, rawRequest, type RawResponse } from '../helpers/http.js';
import { createLink, hit, locations, type CreatedLink } from '../helpers/redirect.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { postgresMissing } from '../helpers/services.js';

const PASSWORD = 'open sesame 42';
const pgMissing = await postgresMissing();

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

/** Every attempt is counted before the password is checked, in the database (RED-15). */
for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `parallel password guesses on ${dialect}`,
    () => {
      let t: TestApp;
      let other: ServeProcess;
      let link: CreatedLink;
      let ipCounter = 0;
      const freshIp = () => ({ 'x-forwarded-for': `198.51.100.${++ipCounter}` });
      beforeAll(async () => {
        t = await startTestApp({
          dialect,
          env: { QRLINK_SIGNUP: 'open', QRLINK_TRUSTED_PROXIES: '127.0.0.1/32' },
        });
        // A second server on the same database, as another node (or `--workers`) would be.
        other = await startServe({
          QRLINK_DATA_DIR: t.dataDir,
          QRLINK_SECRET: t.app.ctx.secret,
          QRLINK_TRUSTED_PROXIES: '127.0.0.1/32',
          ...(dialect === 'postgres'
            ? { QRLINK_DATABASE_URL: t.app.ctx.config.db.postgresUrl as string }
            : {}),
        });
        const user = await signUp(t.url);
        link = await createLink(user, { url: 'https://example.com/burst', password: PASSWORD });
      });
      afterAll(async () => {
        await other?.stop();
        await t?.close();
      });

      const guess = (
        baseUrl: string,
        agent: http.Agent | undefined,
        ip: Record<string, string>,
        password: string,
      ) => {
        const body = `password=${encodeURIComponent(password)}`;
        return rawRequest(baseUrl, `/${link.code}`, {
          method: 'POST',
          body,
          agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(body)),
            ...ip,
          },
        });
      };
      const statuses = (results: RawResponse[]) => {
        const count = new Map<number, number>();
        for (const r of results) count.set(r.status, (count.get(r.status) ?? 0) + 1);
        return Object.fromEntries(count);
      };

      it('evaluates at most 5 of 50 guesses sent at once on open connections; the rest get 429', async () => {
        const agent = await openConnections(t.url, `/${link.code}`, 50);
        try {
          const ip = freshIp();
          const results = await Promise.all(
            Array.from({ length: 50 }, (_, i) => guess(t.url, agent, ip, `wrong ${i}`)),
          );
          expect(statuses(results)).toEqual({ 401: 5, 429: 45 });
          for (const refused of results.filter((r) => r.status === 429)) {
            const retry = Number(refused.headers['retry-after']);
            expect(retry).toBeGreaterThan(0);
            expect(retry).toBeLessThanOrEqual(60);
          }
          const correct = await guess(t.url, undefined, ip, PASSWORD);
          expect(correct.status).toBe(429);
          expect(correct.headers['set-cookie']).toBeUndefined();
          // Counted under keyed hashes: neither the address nor the link is stored.
          const rows = await t.app.ctx.db
            .selectFrom('link_password_attempts')
            .selectAll()
            .execute();
          expect(rows.length).toBeGreaterThan(0);
          expect(JSON.stringify(rows)).not.toContain(ip['x-forwarded-for']);
          expect(JSON.stringify(rows)).not.toContain(link.id);
        } finally {
          agent.destroy();
        }
      });

      it('opens the link for a correct password within the allowance, which it does not use up', async () => {
        const ip = freshIp();
        const wrong = await Promise.all(
          Array.from({ length: 4 }, (_, i) => guess(t.url, undefined, ip, `typo ${i}`)),
        );
        expect(statuses(wrong)).toEqual({ 401: 4 });
        const correct = await guess(t.url, undefined, ip, PASSWORD);
        expect(correct.status).toBe(303);
        expect(correct.headers['set-cookie']?.[0]).toContain(`qrl_pw_`);
        // The success was taken back: one more wrong guess is still evaluated, then 429.
        expect((await guess(t.url, undefined, ip, 'typo 5')).status).toBe(401);
        expect((await guess(t.url, undefined, ip, 'typo 6')).status).toBe(429);
      });

      it('counts an IPv6 client by its /64, as one subscriber', async () => {
        const from = (ip: string) => ({ 'x-forwarded-for': ip });
        for (let i = 1; i <= 5; i++) {
          const wrong = await guess(t.url, undefined, from(`2001:db8:0:7::${i}`), 'nope');
          expect(wrong.status).toBe(401);
        }
        expect((await guess(t.url, undefined, from('2001:db8:0:7::99'), 'nope')).status).toBe(429);
        expect((await guess(t.url, undefined, from('2001:db8:0:8::1'), 'nope')).status).toBe(401);
      });

      it('shares the allowance between two servers on one database', async () => {
        const [here, there] = await Promise.all([
          openConnections(t.url, `/${link.code}`, 25),
          openConnections(other.url, `/${link.code}`, 25),
        ]);
        try {
          const ip = freshIp();
          const results = await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              i % 2 === 0
                ? guess(t.url, here, ip, `wrong ${i}`)
                : guess(other.url, there, ip, `wrong ${i}`),
            ),
          );
          expect(statuses(results)).toEqual({ 401: 5, 429: 45 });
          expect((await guess(other.url, undefined, ip, PASSWORD)).status).toBe(429);
          expect((await guess(t.url, undefined, ip, PASSWORD)).status).toBe(429);
        } finally {
          here.destroy();
          there.destroy();
        }
      });
    },
  );
}
