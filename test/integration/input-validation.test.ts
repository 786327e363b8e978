import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { linkIdsMatching } from '../../src/links/repo.js';
import { SCOPES } from '../../src/workspaces/roles.js';
import { signUp, startTestApp, type Dialect, type TestApp, type TestUser } from '../helpers/app.js';
import { createLink, hit, locations } from '../helpers/redirect.js';
import { postgresMissing } from '../helpers/services.js';

/** Issue 9 §2: what the API accepts at its boundary, on both dialects. */

const pgMissing = await postgresMissing();
const RATE_LIMITS = {
  api: { limit: 1_000_000, windowMs: 60_000 },
  auth: { limit: 1000, windowMs: 60_000 },
};
const SINGLE_LINE = 'must not contain line breaks or control characters';
const LOCATION_LIMIT = 8192;

type Problem = {
  status: number;
  body: { code: string; errors?: { field: string; message: string }[] };
};

function expectFieldError(res: Problem, field: string, message: string | RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.code).toBe('validation_failed');
  expect(res.body.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(`input validation on ${dialect}`, () => {
    let t: TestApp;
    let clock: ManualClock;
    beforeAll(async () => {
      clock = new ManualClock(Date.now());
      t = await startTestApp({
        dialect,
        env: { QRLINK_SIGNUP: 'open', QRLINK_TRUSTED_PROXIES: '127.0.0.1' },
        overrides: { rateLimits: RATE_LIMITS, clock },
      });
    });
    afterAll(() => t.close());

    describe('search', () => {
      let user: TestUser;
      const ids = async (query: string): Promise<string[]> => {
        const res = await user.api.request('GET', `/api/v1/links?${query}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return (res.body.items as { id: string }[]).map((item) => item.id).sort();
      };
      beforeAll(async () => {
        user = await signUp(t.url);
      });

      it('searches tags as values: JSON punctuation matches nothing, a tag prefix matches', async () => {
        const tagged = await createLink(user, {
          url: 'https://example.com/s1',
          tags: ['spring-sale', 'print'],
        });
        await createLink(user, { url: 'https://example.com/s2', title: 'Plain' });
        for (const punctuation of ['[', ']', '"', ',', '","', '["']) {
          expect(await ids(`q=${encodeURIComponent(punctuation)}`), punctuation).toEqual([]);
        }
        expect(await ids('q=spring')).toEqual([tagged.id]);
        expect(await ids('q=PRINT')).toEqual([tagged.id]);
        expect(await ids('q=sale')).toEqual([]);
      });

      it('takes %, _ and \\ in q literally', async () => {
        const percent = await createLink(user, {
          url: 'https://example.com/w1',
          title: '100% off',
        });
        const underscore = await createLink(user, { url: 'https://example.com/w2', title: 'a_b' });
        const backslash = await createLink(user, { url: 'https://example.com/w3', title: 'c\\d' });
        await createLink(user, { url: 'https://example.com/w4', title: 'axb 100 c-d off' });
        expect(await ids('q=%25')).toEqual([percent.id]);
        expect(await ids('q=0%25')).toEqual([percent.id]);
        expect(await ids('q=_')).toEqual([underscore.id]);
        expect(await ids('q=a_b')).toEqual([underscore.id]);
        expect(await ids('q=%5C')).toEqual([backslash.id]);
      });

      it('filters by a tag value exactly, in the list and in analytics filters', async () => {
        const other = await signUp(t.url);
        const quoted = await createLink(other, {
          url: 'https://example.com/t1',
          tags: ['b"a\\', 'x'],
        });
        const plain = await createLink(other, { url: 'https://example.com/t2', tags: ['a\\'] });
        const tagIds = async (tag: string) =>
          (
            await other.api.request('GET', `/api/v1/links?tag=${encodeURIComponent(tag)}`)
          ).body.items.map((item: { id: string }) => item.id);
        expect(await tagIds('a\\')).toEqual([plain.id]);
        expect(await tagIds('b"a\\')).toEqual([quoted.id]);
        expect(await tagIds('"')).toEqual([]);
        const matching = (tag: string) =>
          linkIdsMatching(t.app.database.db, t.app.database.dialect, other.workspaceId, {
            tag,
            domain: '',
          });
        expect(await matching('a\\')).toEqual([plain.id]);
        expect(await matching('b"a\\')).toEqual([quoted.id]);
        expect(await matching('x')).toEqual([quoted.id]);
        expect(await matching('[')).toEqual([]);
      });
    });

    describe('single-line text fields', () => {
      const BAD = [
        'a\r\nb',
        'a\nb',
        'a\rb',
        'a\u0000b',
        'a\tb',
        'a\u001bb',
        'a\u007fb',
        'a\u0085b',
        'a\u009fb',
        'a\u2028b',
        'a\u2029b',
      ];
      let user: TestUser;
      let linkId: string;
      beforeAll(async () => {
        user = await signUp(t.url);
        linkId = (await createLink(user, { url: 'https://example.com/one-line' })).id;
      });

      it('refuses control characters and line breaks in every single-line field', async () => {
        const url = 'https://example.com/x';
        for (const bad of BAD) {
          const label = JSON.stringify(bad);
          const cases: [string, () => Promise<Problem>][] = [
            ['/title', () => user.api.request('POST', '/api/v1/links', { url, title: bad })],
            ['/tags/0', () => user.api.request('POST', '/api/v1/links', { url, tags: [bad] })],
            [
              '/utm/campaign',
              () => user.api.request('POST', '/api/v1/links', { url, utm: { campaign: bad } }),
            ],
            [
              '/rules/0/label',
              () =>
                user.api.request('POST', '/api/v1/links', {
                  url,
                  rules: [{ when: { os: ['ios'] }, url, label: bad }],
                }),
            ],
            ['/title', () => user.api.request('PATCH', `/api/v1/links/${linkId}`, { title: bad })],
            [
              '/tags/1',
              () => user.api.request('PATCH', `/api/v1/links/${linkId}`, { tags: ['ok', bad] }),
            ],
            ['/name', () => user.session.request('POST', '/api/v1/workspaces', { name: bad })],
            [
              '/name',
              () =>
                user.api.request('PATCH', `/api/v1/workspaces/${user.workspaceId}`, { name: bad }),
            ],
            [
              '/name',
              () =>
                user.session.request('POST', '/api/v1/api-keys', {
                  name: bad,
                  scopes: ['links:read'],
                }),
            ],
            [
              '/name',
              () =>
                user.api.request('POST', '/api/v1/auth/signup', {
                  email: `ctl-${Date.now()}@example.test`,
                  password: 'correct horse battery',
                  name: bad,
                }),
            ],
            [
              'querystring:/q',
              () => user.api.request('GET', `/api/v1/links?q=${encodeURIComponent(bad)}`),
            ],
            [
              'querystring:/tag',
              () => user.api.request('GET', `/api/v1/links?tag=${encodeURIComponent(bad)}`),
            ],
          ];
          for (const [field, send] of cases) {
            const res = await send();
            expect(res.body.errors, `${field} ${label}`).toEqual([{ field, message: SINGLE_LINE }]);
            expect(res.status, `${field} ${label}`).toBe(400);
          }
        }
        const kept = await user.api.request('GET', `/api/v1/links/${linkId}`);
        expect(kept.body.title).toBeNull();
        const workspace = await user.api.request('GET', `/api/v1/workspaces/${user.workspaceId}`);
        expect(workspace.body.name).not.toMatch(/[\r\n]/);
      });

      it('refuses control characters in e-mail addresses wherever one is sent', async () => {
        for (const bad of ['a\u0000b@example.test', 'a\u001bb@example.test', 'ab@ex\u0085.test']) {
          const password = 'correct horse battery';
          for (const path of ['/api/v1/auth/signup', '/api/v1/auth/login']) {
            const res = await user.api.request('POST', path, { email: bad, password });
            expectFieldError(res, '/email', /^must match pattern/);
          }
          const reset = await user.api.request('POST', '/api/v1/auth/password-reset', {
            email: bad,
          });
          expectFieldError(reset, '/email', /^must match pattern/);
        }
      });

      it('still accepts text beyond ASCII on one line', async () => {
        const created = await createLink(user, {
          url: 'https://example.com/x',
          title: 'Crème brûlée — 50 % 😀',
          tags: ['été', 'a"b\\c'],
        });
        expect(created).toMatchObject({ title: 'Crème brûlée — 50 % 😀', tags: ['été', 'a"b\\c'] });
      });

      it('keeps line breaks allowed in the multi-line notes, but not NUL', async () => {
        const res = await user.api.request('PATCH', `/api/v1/links/${linkId}`, {
          notes: 'first line\r\nsecond\tline',
        });
        expect(res.status).toBe(200);
        expect(res.body.notes).toBe('first line\r\nsecond\tline');
        const nul = await user.api.request('PATCH', `/api/v1/links/${linkId}`, {
          notes: 'a\u0000b',
        });
        expectFieldError(nul, '/notes', /control characters/);
      });
    });

    describe('pass-through and Location', () => {
      let user: TestUser;
      beforeAll(async () => {
        user = await signUp(t.url);
      });

      it('never emits two fragments: a # in the request query is dropped', async () => {
        const withFragment = await createLink(user, {
          url: 'https://example.com/p#frag',
          passQuery: true,
        });
        const without = await createLink(user, { url: 'https://example.com/q', passQuery: true });
        expect(locations(await hit(t.url, `/${withFragment.code}?x=1#y`))).toEqual([
          'https://example.com/p?x=1#frag',
        ]);
        expect(locations(await hit(t.url, `/${without.code}?x=1#y#z`))).toEqual([
          'https://example.com/q?x=1',
        ]);
        expect(locations(await hit(t.url, `/${without.code}?#y`))).toEqual([
          'https://example.com/q',
        ]);
      });

      it('answers 414 with a page when the Location would pass 8 KB', async () => {
        const created = await createLink(user, {
          url: 'https://example.com/long',
          passQuery: true,
        });
        const room = LOCATION_LIMIT - 'https://example.com/long?a='.length;
        const fits = await hit(t.url, `/${created.code}?a=${'x'.repeat(room)}`);
        expect(fits.status).toBe(302);
        expect(locations(fits)[0]).toHaveLength(LOCATION_LIMIT);
        const tooLong = await hit(t.url, `/${created.code}?a=${'x'.repeat(room + 1)}`);
        expect(tooLong.status).toBe(414);
        expect(locations(tooLong)).toEqual([]);
        expect(tooLong.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(tooLong.text).toContain('too long');
        const huge = await hit(t.url, `/${created.code}?a=${'x'.repeat(9000)}`);
        expect(huge.status).toBe(414);
      });
    });

    describe('non-public destinations', () => {
      const NON_PUBLIC = [
        'http://10.0.0.1/',
        'http://172.16.5.4/',
        'http://192.168.1.1/admin',
        'http://100.64.0.1/',
        'http://169.254.169.254/latest/meta-data/',
        'http://100.100.100.200/',
        'http://127.0.0.2/',
        'http://0.0.0.0/',
        'http://[::]/',
        'http://[::ffff:10.0.0.1]/',
        'http://[fd00:ec2::254]/',
        'http://[fe80::1]/',
        'http://0x0a000001/',
        'http://167772161/',
        'http://012.0.0.1/',
        'http://localhost.localdomain/',
        'http://foo.localhost/',
        'http://metadata.google.internal/',
        'http://printer.local/',
        'http://metadata/',
      ];
      let user: TestUser;
      let linkId: string;
      beforeAll(async () => {
        user = await signUp(t.url);
        linkId = (await createLink(user, { url: 'https://example.com/base' })).id;
      });

      it('refuses them by default wherever a destination enters, naming the field', async () => {
        const ok = 'https://example.com/';
        const reason = /^points to a non-public /;
        for (const bad of NON_PUBLIC) {
          const cases: [string, () => Promise<Problem>][] = [
            ['/url', () => user.api.request('POST', '/api/v1/links', { url: bad })],
            ['/url', () => user.api.request('PATCH', `/api/v1/links/${linkId}`, { url: bad })],
            [
              '/expiredUrl',
              () => user.api.request('POST', '/api/v1/links', { url: ok, expiredUrl: bad }),
            ],
            [
              '/fallbackUrl',
              () =>
                user.api.request('POST', '/api/v1/links', {
                  url: ok,
                  maxScans: 5,
                  fallbackUrl: bad,
                }),
            ],
            [
              '/rules/0/url',
              () =>
                user.api.request('PATCH', `/api/v1/links/${linkId}`, {
                  rules: [{ when: { os: ['ios'] }, url: bad }],
                }),
            ],
            [
              '/rules/0/split/1/url',
              () =>
                user.api.request('POST', '/api/v1/links', {
                  url: ok,
                  rules: [
                    {
                      when: { device: ['mobile'] },
                      split: [
                        { url: ok, weight: 1 },
                        { url: bad, weight: 1 },
                      ],
                    },
                  ],
                }),
            ],
            [
              '/rootUrl',
              () =>
                user.api.request('POST', '/api/v1/domains', {
                  host: 'go.private-check.example',
                  rootUrl: bad,
                }),
            ],
            [
              '/notFoundUrl',
              () =>
                user.api.request('POST', '/api/v1/domains', {
                  host: 'go.private-check.example',
                  notFoundUrl: bad,
                }),
            ],
          ];
          for (const [field, send] of cases) {
            const res = await send();
            expect(res.status, `${field} ${bad}`).toBe(400);
            expect(res.body.errors, `${field} ${bad}`).toEqual([
              { field, message: expect.stringMatching(reason) },
            ]);
          }
        }
        expect((await user.api.request('GET', `/api/v1/links/${linkId}`)).body.url).toBe(
          'https://example.com/base',
        );
      });
    });

    describe('expiry', () => {
      let user: TestUser;
      beforeAll(async () => {
        user = await signUp(t.url);
      });

      it('refuses an expiresAt that is not in the future, on create and on edit', async () => {
        const iso = (ms: number) => new Date(ms).toISOString();
        for (const past of [iso(clock.now() - 1000), iso(clock.now()), '2001-01-01T00:00:00Z']) {
          const res = await user.api.request('POST', '/api/v1/links', {
            url: 'https://example.com/e',
            expiresAt: past,
          });
          expectFieldError(res, '/expiresAt', 'must be in the future');
        }
        const expiresAt = iso(clock.now() + 60_000);
        const created = await createLink(user, { url: 'https://example.com/e', expiresAt });
        const patch = (body: Record<string, unknown>) =>
          user.api.request('PATCH', `/api/v1/links/${created.id}`, body);
        expectFieldError(
          await patch({ expiresAt: iso(clock.now() - 1) }),
          '/expiresAt',
          'must be in the future',
        );
        clock.advance(120_000);
        // The link has expired: sending its stored expiry back unchanged is no mistake.
        const unchanged = await patch({ expiresAt, title: 'kept' });
        expect(unchanged.status, JSON.stringify(unchanged.body)).toBe(200);
        expect(unchanged.body.expiresAt).toBe(expiresAt);
        expectFieldError(
          await patch({ expiresAt: iso(clock.now() - 30_000) }),
          '/expiresAt',
          'must be in the future',
        );
        const renewed = await patch({ expiresAt: iso(clock.now() + 60_000) });
        expect(renewed.status).toBe(200);
        expect((await patch({ expiresAt: null })).status).toBe(200);
      });
    });

    describe('rule simulator', () => {
      it('resolves the country from ip through GeoIP when no country is given, like the redirect', async () => {
        const user = await signUp(t.url);
        const created = await createLink(user, {
          url: 'https://example.com/default',
          rules: [{ when: { country: ['DE'] }, url: 'https://example.com/de' }],
        });
        const simulate = async (body: Record<string, unknown>) => {
          const res = await user.api.request('POST', `/api/v1/links/${created.id}/simulate`, body);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          return res.body as { rule: number | null; url: string; visitor: { country: string } };
        };
        const german = await simulate({ ip: '85.214.132.117' });
        expect(german).toMatchObject({ rule: 0, url: 'https://example.com/de' });
        expect(german.visitor.country).toBe('DE');
        const live = await hit(t.url, `/${created.code}`, { 'x-forwarded-for': '85.214.132.117' });
        expect(locations(live)).toEqual([german.url]);

        const american = await simulate({ ip: '8.8.8.8' });
        expect(american).toMatchObject({ rule: null, url: 'https://example.com/default' });
        expect(american.visitor.country).toBe('US');
        // An explicit country wins over the address.
        const told = await simulate({ ip: '85.214.132.117', country: 'fr' });
        expect(told.rule).toBeNull();
        expect(told.visitor.country).toBe('FR');
        expect((await simulate({ ip: '10.1.2.3' })).visitor.country).toBeNull();
      });
    });

    describe('enum validation errors', () => {
      it('give one field error listing the allowed values', async () => {
        const user = await signUp(t.url);
        const linkId = (await createLink(user, { url: 'https://example.com/enum' })).id;
        expectFieldError(
          await user.api.request('POST', `/api/v1/workspaces/${user.workspaceId}/invitations`, {
            email: 'someone@example.test',
            role: 'editor',
          }),
          '/role',
          '^must be one of: owner, admin, member, viewer$',
        );
        expectFieldError(
          await user.api.request('POST', '/api/v1/links', {
            url: 'https://example.com/',
            redirectType: 303,
          }),
          '/redirectType',
          '^must be one of: 301, 302, 307, 308$',
        );
        expectFieldError(
          await user.api.request('PATCH', `/api/v1/links/${linkId}`, { status: 'archived' }),
          '/status',
          '^must be one of: active, paused, disabled$',
        );
        expectFieldError(
          await user.api.request('PATCH', `/api/v1/links/${linkId}`, { status: 7 }),
          '/status',
          '^must be one of: active, paused, disabled$',
        );
        expectFieldError(
          await user.api.request('GET', `/api/v1/links/${linkId}/qr?format=jpg`),
          'querystring:/format',
          '^must be one of: svg, png$',
        );
        expectFieldError(
          await user.api.request('POST', '/api/v1/links', {
            url: 'https://example.com/',
            rules: [{ when: { device: ['phone'] }, url: 'https://example.com/m' }],
          }),
          '/rules/0/when/device/0',
          '^must be one of: mobile, tablet, desktop$',
        );
        expectFieldError(
          await user.session.request('POST', '/api/v1/api-keys', {
            name: 'k',
            scopes: ['links:read', 'everything'],
          }),
          '/scopes/1',
          `^must be one of: ${SCOPES.join(', ')}$`,
        );
        // A nullable field that is not an enum reports its own error, not "must be null".
        expectFieldError(
          await user.api.request('PATCH', `/api/v1/links/${linkId}`, { title: 'x'.repeat(201) }),
          '/title',
          '^must NOT have more than 200 characters$',
        );
      });
    });
  });
}

describe('an intranet deployment (QRLINK_ALLOW_PRIVATE_DESTINATIONS=1)', () => {
  let t: TestApp;
  let user: TestUser;
  const HOST = 'qr.intranet.example';
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        QRLINK_SIGNUP: 'open',
        QRLINK_BASE_URL: `http://${HOST}:9000`,
        QRLINK_ALLOW_PRIVATE_DESTINATIONS: '1',
      },
      overrides: { rateLimits: RATE_LIMITS },
    });
    user = await signUp(t.url);
  });
  afterAll(() => t.close());

  it('accepts private destinations and redirects to them, but still refuses loops', async () => {
    for (const url of ['http://10.0.0.1/wiki', 'http://printer.local/', 'http://192.168.1.1/']) {
      const created = await createLink(user, { url });
      const res = await hit(t.url, `/${created.code}`, { host: `${HOST}:9000` });
      expect(locations(res), url).toEqual([url]);
    }
    for (const url of [`http://${HOST}:9000/x`, `http://${HOST}/x`, `https://www.${HOST}/x`]) {
      const res = await user.api.request('POST', '/api/v1/links', { url });
      expectFieldError(res, '/url', '^points to this service \\(redirect loop\\)$');
    }
  });
});
