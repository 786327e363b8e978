import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordChange } from '../../src/db/changes.js';
import { insertLink, updateLink } from '../../src/links/repo.js';
import { newId } from '../../src/shared/ids.js';
import { signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import {
  createLink,
  hit,
  locations,
  sleep,
  UA,
  until,
  type CreatedLink,
} from '../helpers/redirect.js';
import { linkRow } from '../helpers/fixtures.js';

const RATE_LIMITS = {
  api: { limit: 1_000_000, windowMs: 60_000 },
  auth: { limit: 1000, windowMs: 60_000 },
};
const CROCKFORD_CODE = /^[0-9A-HJKMNP-TV-Z]{8}$/;

describe('links API and link options', () => {
  let t: TestApp;
  let user: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open' },
      overrides: { rateLimits: RATE_LIMITS },
    });
    user = await signUp(t.url);
    other = await signUp(t.url);
  });
  afterAll(() => t.close());

  const link = (body: Record<string, unknown>) => createLink(user, body);

  /** The link's answer once the change feed has applied an edit (≤ 1 s). */
  async function settled(code: string, done: (status: number) => boolean) {
    const result = await until(
      () => hit(t.url, `/${code}`),
      (res) => done(res.status),
    );
    expect(result.ok, `status ${result.value.status} after ${result.ms} ms`).toBe(true);
    return result.value;
  }

  describe('CRUD, archive, list', () => {
    it('creates, reads, updates and archives a link; the archived code stays taken', async () => {
      const created = await link({
        url: 'https://example.com/crud',
        code: 'crud-Link',
        title: 'Crud',
        notes: 'n',
        tags: ['Spring', 'print'],
      });
      expect(created).toMatchObject({
        code: 'crud-Link',
        url: 'https://example.com/crud',
        domain: 'localhost',
        shortUrl: 'http://localhost:8080/crud-Link',
        qrUrl: `http://localhost:8080/api/v1/links/${created.id}/qr`,
        title: 'Crud',
        tags: ['spring', 'print'],
        status: 'active',
        redirectType: 302,
        archivedAt: null,
      });
      const read = await user.api.request('GET', `/api/v1/links/${created.id}`);
      expect(read.status).toBe(200);
      expect(read.body.id).toBe(created.id);

      const patched = await user.api.request('PATCH', `/api/v1/links/${created.id}`, {
        title: 'Renamed',
        tags: ['autumn'],
        url: 'https://example.com/crud2',
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        title: 'Renamed',
        tags: ['autumn'],
        url: 'https://example.com/crud2',
      });

      expect((await other.api.request('GET', `/api/v1/links/${created.id}`)).status).toBe(404);
      expect((await other.api.request('DELETE', `/api/v1/links/${created.id}`)).status).toBe(404);

      expect((await user.api.request('DELETE', `/api/v1/links/${created.id}`)).status).toBe(204);
      const archived = await user.api.request('GET', `/api/v1/links/${created.id}`);
      expect(archived.body.archivedAt).not.toBeNull();
      await settled('crud-link', (s) => s === 404);
      expect(
        (await user.api.request('PATCH', `/api/v1/links/${created.id}`, { title: 'x' })).status,
      ).toBe(409);
      const again = await user.api.request('POST', '/api/v1/links', {
        url: 'https://example.com/other',
        code: 'CRUD-LINK',
      });
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toContain('application/problem+json');

      const active = await user.api.request('GET', '/api/v1/links?q=crud');
      expect(active.body.items.map((l: CreatedLink) => l.id)).not.toContain(created.id);
      const listed = await user.api.request('GET', '/api/v1/links?archived=true');
      expect(listed.body.items.map((l: CreatedLink) => l.id)).toContain(created.id);
    });

    it('searches code, title, destination and tag, filters, and pages with a cursor', async () => {
      const searcher = await signUp(t.url);
      const make = (body: Record<string, unknown>) => createLink(searcher, body);
      const a = await make({ url: 'https://shop.example/boots', code: 'Winter_Sale' });
      const b = await make({ url: 'https://example.org/x', title: 'Quarterly Report 100%' });
      const c = await make({ url: 'https://docs.example/handbook-pdf' });
      const d = await make({ url: 'https://example.net/', tags: ['Festival'], status: 'paused' });
      const e = await make({ url: 'https://example.net/e', tags: ['festivals'] });
      const ids = async (query: string) =>
        (await searcher.api.request('GET', `/api/v1/links?${query}`)).body.items.map(
          (l: CreatedLink) => l.id,
        );
      expect(await ids('q=winter_s')).toEqual([a.id]);
      expect(await ids('q=QUARTERLY')).toEqual([b.id]);
      expect(await ids(`q=${encodeURIComponent('100%')}`)).toEqual([b.id]);
      expect(await ids('q=handbook')).toEqual([c.id]);
      expect(await ids('q=festival')).toEqual([e.id, d.id]);
      expect(await ids('tag=festival')).toEqual([d.id]);
      expect(await ids('tag=Festival')).toEqual([d.id]);
      expect(await ids('status=paused')).toEqual([d.id]);
      expect(await ids('domain=localhost')).toHaveLength(5);
      expect(await ids('q=_')).toEqual([a.id]);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { body: { items: CreatedLink[]; nextCursor: string | null } } =
          await searcher.api.request(
            'GET',
            `/api/v1/links?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          );
        seen.push(...res.body.items.map((l) => l.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([e.id, d.id, c.id, b.id, a.id]);
      expect((await searcher.api.request('GET', '/api/v1/links?cursor=bogus')).status).toBe(400);
      // Another workspace's search sees none of these.
      expect((await user.api.request('GET', '/api/v1/links?q=winter_s')).body.items).toEqual([]);
    });
  });

  describe('codes and custom slugs', () => {
    it('generates 8-character Crockford base32 codes, looked up case-insensitively', async () => {
      const codes = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const created = await link({ url: 'https://example.com/gen' });
        expect(created.code).toMatch(CROCKFORD_CODE);
        codes.add(created.code);
      }
      expect(codes.size).toBe(20);
      const code = [...codes][0] as string;
      for (const path of [code, code.toLowerCase(), `${code.toLowerCase()}/`]) {
        const res = await hit(t.url, `/${path}`);
        expect(res.status, path).toBe(302);
        expect(locations(res)).toEqual(['https://example.com/gen']);
      }
    });

    it('accepts slugs of [A-Za-z0-9_-]{1,64}, refuses the rest and reserved words', async () => {
      for (const code of ['a', 'Z9_-x', 'x'.repeat(64)]) {
        const created = await link({ url: 'https://example.com/slug', code });
        expect(created.code).toBe(code);
        expect((await hit(t.url, `/${code.toUpperCase()}`)).status).toBe(302);
      }
      const malformed = ['', 'x'.repeat(65), 'a b', 'a.b', 'a/b', 'ä', 'a%20', 'a?b'];
      for (const code of malformed) {
        const res = await user.api.request('POST', '/api/v1/links', {
          url: 'https://example.com/',
          code,
        });
        expect(res.status, code).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      // Well formed, but a path the server answers itself (test/integration/reserved-paths.test.ts
      // walks every one of them).
      for (const code of ['api', 'API', 'Healthz', 'READYZ', 'metrics', 'app', 'reset-password']) {
        const res = await user.api.request('POST', '/api/v1/links', {
          url: 'https://example.com/',
          code,
        });
        expect(res.status, code).toBe(422);
        expect(res.body.errors).toEqual([{ field: '/code', message: `"${code}" is reserved` }]);
      }
    });

    it('keeps slugs unique per domain case-insensitively (409), across workspaces', async () => {
      await link({ url: 'https://example.com/p', code: 'Promo' });
      for (const [who, code] of [
        [user, 'PROMO'],
        [user, 'promo'],
        [other, 'pRoMo'],
      ] as const) {
        const res = await who.api.request('POST', '/api/v1/links', {
          url: 'https://example.com/q',
          code,
        });
        expect(res.status, code).toBe(409);
        expect(res.body.code).toBe('conflict');
      }
    });
  });

  describe('destinations', () => {
    it('stores IDN hosts as A-labels and refuses non-http(s) and control characters', async () => {
      const created = await link({ url: 'https://bücher.example/straße?q=ü' });
      expect(created.url).toBe('https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC');
      const res = await hit(t.url, `/${created.code}`);
      expect(locations(res)).toEqual([created.url]);
      for (const url of ['javascript:alert(1)', 'https://a.example/\r\nx', 'ftp://a.example/']) {
        expect((await user.api.request('POST', '/api/v1/links', { url })).status).toBe(400);
      }
    });

    it('refuses loops to the platform on create and on edit (RED-05)', async () => {
      const created = await link({ url: 'https://example.com/ok' });
      const loops = [
        'http://localhost:8080/x',
        'http://LOCALHOST./abc',
        'http://127.0.0.1/',
        'http://2130706433/',
        'http://0x7f.0.0.1:9000/',
        'http://[::1]/',
        'http://[::ffff:127.0.0.1]/',
        `http://www.localhost/${created.code}`,
      ];
      for (const url of loops) {
        const create = await user.api.request('POST', '/api/v1/links', { url });
        expect(create.status, url).toBe(400);
        const edit = await user.api.request('PATCH', `/api/v1/links/${created.id}`, { url });
        expect(edit.status, url).toBe(400);
        const rule = await user.api.request('PATCH', `/api/v1/links/${created.id}`, {
          rules: [{ when: { os: ['ios'] }, url }],
        });
        expect(rule.status, url).toBe(400);
      }
    });

    it('never redirects to a bad destination written around the API (RED-02)', async () => {
      const db = t.app.database.db;
      const insert = async (code: string, columns: Record<string, unknown>, announce: boolean) => {
        const now = Date.now();
        const id = newId('lnk', now);
        await db.transaction().execute(async (tx) => {
          await insertLink(
            tx,
            linkRow({
              id,
              workspaceId: user.workspaceId,
              code,
              createdBy: user.userId,
              now,
              url: 'https://example.com/fine',
              ...columns,
            }),
          );
          if (announce) await recordChange(tx, t.app.database.dialect, 'link', id, now);
        });
      };
      const rows: [string, Record<string, unknown>][] = [
        ['sqljs', { url: 'javascript:alert(1)' }],
        ['sqldata', { url: 'data:text/html,<script>alert(1)</script>' }],
        ['sqlloop', { url: 'http://localhost:8080/sqljs' }],
        ['sqlcrlf', { url: 'https://example.com/\r\nset-cookie:x=1' }],
        [
          'sqlrule',
          { rules: JSON.stringify([{ when: { os: ['windows'] }, url: 'javascript:alert(1)' }]) },
        ],
        [
          'sqlsplit',
          {
            rules: JSON.stringify([
              {
                when: { os: ['windows'] },
                split: [
                  { url: 'https://example.com/a', weight: 1 },
                  { url: 'vbscript:msgbox(1)', weight: 1 },
                ],
              },
            ]),
          },
        ],
        ['sqlexpired', { expires_at: 1, expired_url: 'javascript:alert(1)' }],
        ['sqlfallback', { max_scans: 1, scans: 5, fallback_url: 'http://127.0.0.1/loop' }],
      ];
      let n = 0;
      for (const [code, columns] of rows) await insert(code, columns, n++ % 2 === 0);
      await sleep(400);
      for (const [code] of rows) {
        for (const ua of [UA.windowsChrome, UA.iphone]) {
          const res = await hit(t.url, `/${code}`, { 'user-agent': ua });
          expect(res.status, code).toBe(410);
          expect(locations(res), code).toEqual([]);
        }
      }
    });
  });

  describe('options', () => {
    it('answers 301/307/308 on opt-in with bounded caching for permanent ones', async () => {
      for (const [type, cache] of [
        [301, 'private, max-age=90'],
        [302, 'private, max-age=0'],
        [307, 'private, max-age=0'],
        [308, 'private, max-age=90'],
      ] as const) {
        const created = await link({ url: 'https://example.com/t', redirectType: type });
        const res = await hit(t.url, `/${created.code}`);
        expect(res.status).toBe(type);
        expect(res.headers['cache-control']).toBe(cache);
        expect(locations(res)).toEqual(['https://example.com/t']);
        expect(res.headers['x-robots-tag']).toBe('noindex');
      }
      expect(
        (
          await user.api.request('POST', '/api/v1/links', {
            url: 'https://a.example',
            redirectType: 303,
          })
        ).status,
      ).toBe(400);
    });

    it('sends expired links to the expired URL (302) or a 410 page', async () => {
      const future = new Date(Date.now() + 3600_000).toISOString();
      const withUrl = await link({
        url: 'https://example.com/live',
        expiresAt: future,
        expiredUrl: 'https://example.com/expired',
      });
      const bare = await link({ url: 'https://example.com/live', expiresAt: future });
      // The API refuses an expiry in the past, so time passes in the database.
      const now = Date.now();
      await t.app.database.db.transaction().execute(async (tx) => {
        for (const { id } of [withUrl, bare]) {
          await updateLink(tx, user.workspaceId, id, { expires_at: now - 60_000 });
          await recordChange(tx, t.app.database.dialect, 'link', id, now);
        }
      });
      const expired = await until(
        () => hit(t.url, `/${withUrl.code}`),
        (res) => locations(res)[0] === 'https://example.com/expired',
      );
      expect(expired.ok, `after ${expired.ms} ms`).toBe(true);
      expect(expired.value.status).toBe(302);
      expect(locations(expired.value)).toEqual(['https://example.com/expired']);
      const gone = await settled(bare.code, (status) => status === 410);
      expect(locations(gone)).toEqual([]);
      expect(gone.headers['cache-control']).toBe('no-store');
      const notYet = await link({ url: 'https://example.com/live', expiresAt: future });
      expect(locations(await hit(t.url, `/${notYet.code}`))).toEqual(['https://example.com/live']);
    });

    it('counts exactly maxScans human scans; HEAD and bots do not consume any', async () => {
      const created = await link({
        url: 'https://example.com/main',
        maxScans: 3,
        fallbackUrl: 'https://example.com/fallback',
      });
      const path = `/${created.code}`;
      for (let i = 0; i < 3; i++) {
        for (const extra of [
          () => hit(t.url, path, {}, 'HEAD'),
          () => hit(t.url, path, { 'user-agent': UA.googlebot }),
          () => hit(t.url, path, { 'sec-purpose': 'prefetch' }),
          () => hit(t.url, path, { 'user-agent': 'curl/8.5.0' }),
        ]) {
          const res = await extra();
          expect(res.status).toBe(302);
          expect(locations(res)).toEqual(['https://example.com/main']);
        }
        expect(locations(await hit(t.url, path))).toEqual(['https://example.com/main']);
      }
      for (const ua of [UA.windowsChrome, UA.iphone, UA.googlebot]) {
        const res = await hit(t.url, path, { 'user-agent': ua });
        expect(res.status).toBe(302);
        expect(locations(res)).toEqual(['https://example.com/fallback']);
      }

      const noFallback = await link({ url: 'https://example.com/main', maxScans: 1 });
      expect((await hit(t.url, `/${noFallback.code}`)).status).toBe(302);
      expect((await hit(t.url, `/${noFallback.code}`)).status).toBe(410);
    });

    it('keeps the human scan count when the stored counter and an edit catch up', async () => {
      const created = await link({
        url: 'https://example.com/main',
        maxScans: 3,
        fallbackUrl: 'https://example.com/fallback',
      });
      const path = `/${created.code}`;
      expect(locations(await hit(t.url, path))).toEqual(['https://example.com/main']);
      for (let i = 0; i < 6; i++) await hit(t.url, path, { 'user-agent': UA.googlebot });
      // The stored counter is written by the queue consumer; then an edit reloads the link.
      const stored = await until(
        () => user.api.request('GET', `/api/v1/links/${created.id}`),
        (res) => res.body.scans >= 1,
        2000,
      );
      expect(stored.ok).toBe(true);
      await sleep(300);
      expect(
        (await user.api.request('PATCH', `/api/v1/links/${created.id}`, { title: 'edited' }))
          .status,
      ).toBe(200);
      await sleep(400);
      expect((await user.api.request('GET', `/api/v1/links/${created.id}`)).body.scans).toBe(1);
      expect(locations(await hit(t.url, path))).toEqual(['https://example.com/main']);
      expect(locations(await hit(t.url, path))).toEqual(['https://example.com/main']);
      expect(locations(await hit(t.url, path))).toEqual(['https://example.com/fallback']);
    });

    it('passes the query string through only when asked, after the UTM parameters', async () => {
      const on = await link({
        url: 'https://example.com/p?x=1#top',
        passQuery: true,
        utm: { source: 'qr', medium: 'print', campaign: 'spring sale' },
      });
      expect(locations(await hit(t.url, `/${on.code}?a=1&b=%C3%BC`))).toEqual([
        'https://example.com/p?x=1&utm_source=qr&utm_medium=print&utm_campaign=spring+sale&a=1&b=%C3%BC#top',
      ]);
      expect(locations(await hit(t.url, `/${on.code}`))).toEqual([
        'https://example.com/p?x=1&utm_source=qr&utm_medium=print&utm_campaign=spring+sale#top',
      ]);
      const off = await link({ url: 'https://example.com/p', utm: { source: 'qr' } });
      expect(locations(await hit(t.url, `/${off.code}?a=1`))).toEqual([
        'https://example.com/p?utm_source=qr',
      ]);
      const plain = await link({ url: 'https://example.com/plain', passQuery: true });
      expect(locations(await hit(t.url, `/${plain.code}?a=1`))).toEqual([
        'https://example.com/plain?a=1',
      ]);
    });

    it('answers paused links with a 404 page and disabled ones with 410', async () => {
      const created = await link({ url: 'https://example.com/s' });
      const patch = (status: string) =>
        user.api.request('PATCH', `/api/v1/links/${created.id}`, { status });
      expect((await patch('paused')).status).toBe(200);
      const paused = await settled(created.code, (s) => s === 404);
      expect(paused.text).toContain('paused');
      expect(locations(paused)).toEqual([]);
      expect((await patch('disabled')).status).toBe(200);
      const disabled = await settled(created.code, (s) => s === 410);
      expect(disabled.text).toContain('disabled');
      expect((await patch('active')).status).toBe(200);
      await settled(created.code, (s) => s === 302);
      const pausedAtBirth = await link({ url: 'https://example.com/s', status: 'paused' });
      expect((await hit(t.url, `/${pausedAtBirth.code}`)).status).toBe(404);
    });

    it('records nothing for track=false links', async () => {
      const queue = t.app.redirect.queue;
      const quiet = await link({ url: 'https://example.com/quiet', track: false });
      const loud = await link({ url: 'https://example.com/loud' });
      const before = queue.accepted;
      for (let i = 0; i < 5; i++) expect((await hit(t.url, `/${quiet.code}`)).status).toBe(302);
      expect((await hit(t.url, `/${quiet.code}/q`)).status).toBe(302);
      expect(queue.accepted).toBe(before);
      expect((await hit(t.url, `/${loud.code}`)).status).toBe(302);
      expect(queue.accepted).toBe(before + 1);
    });

    it('serves deep links on a page, escaped, and never as Location', async () => {
      const created = await link({
        url: 'https://example.com/web',
        rules: [
          {
            when: { os: ['ios'] },
            url: 'https://apps.apple.com/app/id1',
            appUrl: 'myapp://open?x="><script>alert(1)</script>',
          },
        ],
      });
      const res = await hit(t.url, `/${created.code}`, { 'user-agent': UA.iphone });
      expect(res.status).toBe(200);
      expect(locations(res)).toEqual([]);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).not.toContain('<script>alert(1)');
      expect(res.text).toContain('myapp://open?x=&quot;&gt;&lt;script&gt;');
      expect(res.text).toContain('https://apps.apple.com/app/id1');
      const desktop = await hit(t.url, `/${created.code}`);
      expect(locations(desktop)).toEqual(['https://example.com/web']);
      for (const appUrl of ['javascript:alert(1)', 'data:text/html,x', 'https://a.example/']) {
        const refused = await user.api.request('POST', '/api/v1/links', {
          url: 'https://example.com/web',
          rules: [{ when: { os: ['ios'] }, url: 'https://a.example/', appUrl }],
        });
        expect(refused.status, appUrl).toBe(400);
      }
    });
  });
});
