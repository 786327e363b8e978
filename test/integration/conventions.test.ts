import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { caller, startTestApp, type Caller, type TestApp } from '../helpers/app.js';
import {
  LIST_SEEDS,
  addMember,
  fillPath,
  makeKey,
  makeTenant,
  type Tenant,
} from '../helpers/fixtures.js';
import { writePlansFile } from '../helpers/plans.js';
import { apiRoutes, routeKey, rowCounts, validBody } from '../helpers/routes.js';

/**
 * The API conventions every endpoint follows: problem+json errors without internals, cursor
 * pagination, Idempotency-Key (RL-09) and rate-limit headers (RL-01/02).
 */

const NO_LIMITS = {
  api: { limit: 1_000_000, windowMs: 60_000 },
  auth: { limit: 1_000_000, windowMs: 60_000 },
};

type Response = Awaited<ReturnType<Caller['request']>>;

function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code: expect.any(String),
  });
}

function expectNoInternals(body: unknown) {
  const text = JSON.stringify(body);
  for (const leak of ['    at ', 'node_modules', '.ts:', '.js:', '/work/', 'sqlite', 'Kysely']) {
    expect(text).not.toContain(leak);
  }
}

describe('problem+json errors (RFC 9457)', () => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await startTestApp({ overrides: { rateLimits: NO_LIMITS } });
    tenant = await makeTenant(t, 'problems');
  });
  afterAll(() => t.close());

  it('answers every kind of failure with type, title, status, detail (and errors[] for fields)', async () => {
    const anon = caller(t.url);
    expectProblem(await anon.request('GET', '/api/v1/no-such-route'), 404);
    expectProblem(await anon.request('GET', '/api/v1/me'), 401);
    expectProblem(await anon.request('DELETE', '/api/v1/me'), 404);
    const invalid = await tenant.owner.session.request('POST', '/api/v1/workspaces', {
      name: '',
      extra: true,
    });
    expectProblem(invalid, 400);
    expect(invalid.body.errors).toEqual(
      expect.arrayContaining([
        { field: '/name', message: expect.any(String) },
        { field: '/extra', message: 'is not a known field' },
      ]),
    );
    const wrongType = await tenant.owner.session.request('POST', '/api/v1/workspaces', 'name=x', {
      'content-type': 'text/plain',
    });
    expectProblem(wrongType, 415);
    const badQuery = await tenant.owner.session.request('GET', '/api/v1/api-keys?limit=abc');
    expectProblem(badQuery, 400);
    expect(badQuery.body.errors[0].field).toBe('querystring:/limit');
    const badParam = await tenant.owner.session.request('GET', '/api/v1/workspaces/not-an-id');
    expect([400, 404]).toContain(badParam.status);
    expectProblem(badParam, badParam.status);
  });

  it('turns an internal failure into a generic 500 without a stack trace, and /readyz into 503', async () => {
    const broken = await startTestApp({ overrides: { rateLimits: NO_LIMITS } });
    const owner = await makeTenant(broken, 'broken');
    expect((await caller(broken.url).request('GET', '/readyz')).status).toBe(200);
    await broken.app.database.close();
    try {
      for (const res of [
        await owner.ownerKey.api.request('GET', '/api/v1/me'),
        await owner.owner.session.request('GET', '/api/v1/workspaces'),
        await caller(broken.url).request('POST', '/api/v1/auth/login', {
          email: 'a@example.test',
          password: 'whatever123',
        }),
      ]) {
        expectProblem(res, 500);
        expect(res.body.code).toBe('internal');
        expect(res.body.detail).toBe('Something went wrong on our side; it has been logged.');
        expectNoInternals(res.body);
      }
      const ready = await caller(broken.url).request('GET', '/readyz');
      expect(ready.status).toBe(503);
      expectNoInternals(ready.body);
      expect((await caller(broken.url).request('GET', '/healthz')).status).toBe(200);
      // The details go to the log instead.
      expect(broken.logs.some((line) => line.includes('unhandled error'))).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

describe('cursor pagination on every list route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ overrides: { rateLimits: NO_LIMITS } });
  });
  afterAll(() => t.close());

  it('walks every list with limit and nextCursor: stable order, no gaps or repeats; bad cursors are 400', async () => {
    const lists = apiRoutes(t).filter((r) => {
      const ok = (r.schema?.response as Record<string, { properties?: object }> | undefined)?.[200];
      return r.method === 'GET' && ok?.properties && 'nextCursor' in ok.properties;
    });
    expect(lists.map((r) => r.url).sort()).toEqual(
      expect.arrayContaining(Object.keys(LIST_SEEDS).sort()),
    );
    const failures: string[] = [];
    for (const route of lists) {
      const seed = LIST_SEEDS[route.url];
      if (!seed) {
        failures.push(`${routeKey(route)}: add a seed to LIST_SEEDS in test/helpers/fixtures.ts`);
        continue;
      }
      const tenant = await makeTenant(t, 'pages');
      await seed(t, tenant, 7);
      const path = await fillPath(t, route.url, tenant);
      const get = (query: string) =>
        tenant.owner.session.request('GET', `${path}?${query}`, undefined, {
          'qrlink-workspace': tenant.workspaceId,
        });
      const all = await get('limit=100');
      if (all.status !== 200) {
        failures.push(`${routeKey(route)}: ${all.status} ${JSON.stringify(all.body)}`);
        continue;
      }
      const ids = all.body.items.map((i: { id: string }) => i.id);
      if (ids.length < 7)
        failures.push(`${routeKey(route)}: only ${ids.length} items after seeding`);
      if (all.body.nextCursor !== null) failures.push(`${routeKey(route)}: last page has a cursor`);

      const walked: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Response = await get(
          `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        if (page.status !== 200 || page.body.items.length > 2) {
          failures.push(`${routeKey(route)}: page ${pages} → ${page.status}`);
          break;
        }
        walked.push(...page.body.items.map((i: { id: string }) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor && ++pages < 50);
      if (JSON.stringify(walked) !== JSON.stringify(ids)) {
        failures.push(`${routeKey(route)}: walking gave ${walked.length} items in another order`);
      }
      for (const bad of ['cursor=garbage', 'cursor=%00', 'limit=0', 'limit=101', 'limit=-1']) {
        const res = await get(bad);
        if (res.status !== 400 || res.body.code !== 'validation_failed') {
          failures.push(`${routeKey(route)}?${bad} → ${res.status}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('Idempotency-Key on every creating POST (RL-09)', () => {
  let t: TestApp;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await startTestApp({ overrides: { rateLimits: NO_LIMITS, clock } });
  });
  afterAll(() => t.close());

  const idempotentRoutes = () => apiRoutes(t).filter((r) => r.config.idempotent);

  it('same key + same body ×5 → one object and identical responses; different body → 422', async () => {
    const routes = idempotentRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(3);
    for (const route of routes) {
      const tenant = await makeTenant(t, 'idem');
      const path = await fillPath(t, route.url, tenant);
      const body = validBody(route, tenant);
      const send = (payload: unknown, key: string) =>
        tenant.owner.session.request(route.method, path, payload, { 'idempotency-key': key });
      const before = await rowCounts(t);
      const first = await send(body, 'same-key');
      expect(first.status, routeKey(route)).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const once = await rowCounts(t);
      for (let i = 0; i < 4; i++) {
        const again = await send(body, 'same-key');
        expect(again.status).toBe(first.status);
        expect(again.body).toEqual(first.body);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
      }
      expect(await rowCounts(t)).toEqual(once);
      expect(once).not.toEqual(before);

      const other = validBody(route, tenant) as Record<string, unknown>;
      const changed = { ...other, name: 'something else', email: 'other@example.test' };
      const reused = await send(
        Object.fromEntries(Object.entries(changed).filter(([k]) => k in other)),
        'same-key',
      );
      expect(reused.status, routeKey(route)).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await rowCounts(t)).toEqual(once);
    }
  });

  it('10 concurrent requests with one key create exactly one object', async () => {
    for (const route of idempotentRoutes()) {
      const tenant = await makeTenant(t, 'idem-race');
      const path = await fillPath(t, route.url, tenant);
      const body = validBody(route, tenant);
      const before = await rowCounts(t);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          tenant.owner.session.request(route.method, path, body, { 'idempotency-key': 'race' }),
        ),
      );
      const originals = results.filter(
        (r) => r.status === 201 && r.headers.get('idempotent-replayed') === null,
      );
      expect(originals, routeKey(route)).toHaveLength(1);
      for (const r of results) {
        if (r.status === 201) expect(r.body).toEqual(originals[0]?.body);
        else {
          expect(r.status).toBe(409);
          expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
        }
      }
      // Exactly the rows one request writes: compare with one plain request.
      const after = await rowCounts(t);
      await tenant.owner.session.request(route.method, path, validBody(route, tenant));
      const afterPlain = await rowCounts(t);
      for (const table of Object.keys(after)) {
        // Key rows, and usage meters (one row per meter and period, created on first use).
        if (table === 'idempotency_keys' || table === 'usage_counters') continue;
        const race = (after[table] ?? 0) - (before[table] ?? 0);
        const plain = (afterPlain[table] ?? 0) - (after[table] ?? 0);
        expect(race, `${routeKey(route)} ${table}`).toBe(plain);
      }
    }
  });

  it('keys are per caller, kept 24 h, limited to 255 characters, and released by a failure', async () => {
    const tenant = await makeTenant(t, 'idem-rules');
    const admin = await addMember(t, tenant.workspaceId, 'admin');
    const create = (who: typeof tenant.owner, key: string, name = 'k') =>
      who.session.request(
        'POST',
        '/api/v1/api-keys',
        { name, scopes: ['links:read'] },
        { 'idempotency-key': key, 'qrlink-workspace': tenant.workspaceId },
      );
    const mine = await create(tenant.owner, 'shared-key');
    const theirs = await create(admin, 'shared-key');
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);

    clock.advance(24 * 3600_000 + 1);
    const later = await create(tenant.owner, 'shared-key');
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(later.body.id).not.toBe(mine.body.id);

    const tooLong = await create(tenant.owner, 'k'.repeat(256));
    expectProblem(tooLong, 400);

    // A refused attempt does not pin the key: the corrected request goes through.
    const refused = await admin.session.request(
      'POST',
      `/api/v1/workspaces/${tenant.workspaceId}/invitations`,
      { email: 'boss@example.test', role: 'owner' },
      { 'idempotency-key': 'retry-me' },
    );
    expect(refused.status).toBe(403);
    const corrected = await admin.session.request(
      'POST',
      `/api/v1/workspaces/${tenant.workspaceId}/invitations`,
      { email: 'boss@example.test', role: 'admin' },
      { 'idempotency-key': 'retry-me' },
    );
    expect(corrected.status).toBe(201);
  });
});

/** `"name";q=10;w=60` → its parameters (an RFC 8941 list of one item with parameters). */
function structuredItem(value: string | null): { name: string; params: Record<string, number> } {
  const match = /^"([a-z0-9_-]+)"((?:;[a-z]+=\d+)+)$/.exec(value ?? '');
  if (!match) throw new Error(`not a structured field item: ${value}`);
  const params: Record<string, number> = {};
  for (const part of (match[2] as string).split(';').slice(1)) {
    const [k, v] = part.split('=');
    params[k as string] = Number(v);
  }
  return { name: match[1] as string, params };
}

describe('rate limiting headers and 429 (RL-01/02)', () => {
  let t: TestApp;
  const clock = new ManualClock(Date.parse('2026-03-01T10:00:30Z'));
  beforeAll(async () => {
    t = await startTestApp({
      // The fixtures' workspaces are on 'unlimited': here it allows 3 API requests a minute.
      env: {
        QRLINK_PLANS_FILE: writePlansFile([
          { id: 'unlimited', rank: 0, limits: { apiRequestsPerMinute: 3 } },
        ]),
      },
      overrides: {
        clock,
        rateLimits: {
          api: { limit: 3, windowMs: 60_000 },
          auth: { limit: 2, windowMs: 60_000 },
        },
      },
    });
  });
  afterAll(() => t.close());

  it('sends RateLimit-Policy, RateLimit and X-RateLimit-* on every answer; Remaining drops by one', async () => {
    const tenant = await makeTenant(t, 'limits');
    const resetAt = Math.ceil((clock.now() - (clock.now() % 60_000) + 60_000) / 1000);
    for (let i = 0; i < 3; i++) {
      const res = await tenant.ownerKey.api.request('GET', '/api/v1/me');
      expect(res.status).toBe(200);
      const policy = structuredItem(res.headers.get('ratelimit-policy'));
      expect(policy).toEqual({ name: 'api', params: { q: 3, w: 60 } });
      const state = structuredItem(res.headers.get('ratelimit'));
      expect(state.name).toBe('api');
      expect(state.params.r).toBe(2 - i);
      expect(state.params.t).toBe(30);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
      expect(res.headers.get('x-ratelimit-reset')).toBe(String(resetAt));
    }
    const limited = await tenant.ownerKey.api.request('GET', '/api/v1/me');
    expectProblem(limited, 429);
    expect(limited.body.type).toBe(
      'https://iana.org/assignments/http-problem-types#quota-exceeded',
    );
    expect(limited.body['violated-policies']).toEqual(['api']);
    const retry = limited.headers.get('retry-after') ?? '';
    expect(retry).toMatch(/^\d+$/);
    expect(Number(retry)).toBeGreaterThanOrEqual(1);
    expect(Number(retry)).toBeLessThanOrEqual(60);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');

    // Another key of the workspace shares the budget; waiting Retry-After restores it.
    const other = await makeKey(t, tenant.workspaceId, tenant.owner, ['links:read']);
    expectProblem(await other.api.request('GET', '/api/v1/me'), 429);
    clock.advance(Number(retry) * 1000);
    expect((await tenant.ownerKey.api.request('GET', '/api/v1/me')).status).toBe(200);
  });

  it('counts refused credentials too (by IP), so key guessing is throttled', async () => {
    clock.advance(60_000);
    const guesser = caller(t.url, { key: 'qrl_live_' + 'A'.repeat(38) });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await guesser.request('GET', '/api/v1/me');
      statuses.push(res.status);
      expect(res.headers.get('ratelimit-policy')).not.toBeNull();
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('has a separate, smaller budget for the auth endpoints', async () => {
    clock.advance(60_000);
    const anon = caller(t.url);
    const login = () =>
      anon.request('POST', '/api/v1/auth/password-reset', { email: 'x@example.test' });
    expect((await login()).headers.get('ratelimit-policy')).toBe('"auth";q=2;w=60');
    expect((await login()).status).toBe(202);
    const limited = await login();
    expectProblem(limited, 429);
    expect(limited.body['violated-policies']).toEqual(['auth']);
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, then refuses new connections', async () => {
    let release: () => void = () => undefined;
    const mailSent = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const mailStarted = new Promise<void>((resolve) => (started = resolve));
    const t = await startTestApp({
      overrides: {
        rateLimits: NO_LIMITS,
        // Inviting waits for the mail server: hold it until shutdown has begun.
        mailer: {
          send: async () => {
            started();
            await mailSent;
          },
          close: () => undefined,
        },
      },
    });
    const tenant = await makeTenant(t, 'shutdown');
    const inFlight = tenant.owner.session.request(
      'POST',
      `/api/v1/workspaces/${tenant.workspaceId}/invitations`,
      { email: 'late@example.test', role: 'viewer' },
    );
    await mailStarted;
    const closing = t.close();
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect((await inFlight).status).toBe(201);
    await closing;
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });
});
