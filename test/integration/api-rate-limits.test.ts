import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { memoryLimiter, type Limiter } from '../../src/adapters/limiter.js';
import {
  caller,
  signUp,
  startTestApp,
  type Dialect,
  type TestApp,
  type TestUser,
} from '../helpers/app.js';
import { makeUser, type FixtureUser } from '../helpers/fixtures.js';
import {
  createScratchPostgres,
  postgresMissing,
  REDIS_URL,
  redisMissing,
  scratchRedisPrefix,
  type ScratchPostgres,
} from '../helpers/services.js';

/**
 * The API rate limit is one budget per workspace, the plan's `apiRequestsPerMinute` exactly,
 * whatever the credential (session cookie or any of the workspace's keys), shared by every
 * process through Redis. Requests outside a workspace count per user.
 */
const pgMissing = await postgresMissing();
const redisDown = await redisMissing();
const MINUTE = 60_000;
/** The start of a minute: every test begins a fresh fixed window by advancing to the next one. */
const T0 = Date.parse('2026-03-01T10:00:00Z');

type Response = Awaited<ReturnType<TestUser['api']['request']>>;

const policyOf = (res: Response) => res.headers.get('ratelimit-policy');

/** Sends `count` GETs, each through the next of `callers` in turn; returns the statuses. */
async function burst(
  callers: { request: TestUser['api']['request'] }[],
  count: number,
  path = '/api/v1/links',
): Promise<Response[]> {
  const answers: Response[] = [];
  for (let i = 0; i < count; i++) {
    answers.push(
      await (callers[i % callers.length] as (typeof callers)[number]).request('GET', path),
    );
  }
  return answers;
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `API budgets per workspace on ${dialect}`,
    () => {
      let t: TestApp;
      const clock = new ManualClock(T0);
      /** Every limit the rate-limit hook asked the limiter to enforce, by counter key. */
      const enforced = new Map<string, number>();
      const counting = memoryLimiter(() => clock.now());
      const recording: Limiter = {
        hit(key, limit, windowMs) {
          enforced.set(key, limit);
          return counting.hit(key, limit, windowMs);
        },
        close: () => counting.close(),
      };

      beforeAll(async () => {
        t = await startTestApp({
          dialect,
          env: { QRLINK_SIGNUP: 'open', QRLINK_DEFAULT_PLAN: 'free' },
          overrides: {
            clock,
            limiter: recording,
            rateLimits: {
              api: { limit: 5, windowMs: MINUTE },
              auth: { limit: 1000, windowMs: MINUTE },
            },
          },
        });
      });
      afterAll(() => t?.close());

      const nextWindow = () => clock.advance(MINUTE);

      it('answers 429 to the 61st session-cookie request of a free workspace in a minute, policy q=60', async () => {
        const user = await signUp(t.url, 'cookie');
        nextWindow();
        const answers = await burst([user.session], 61);
        expect(answers.slice(0, 60).map((r) => r.status)).toEqual(Array(60).fill(200));
        for (const res of answers) expect(policyOf(res)).toBe('"api";q=60;w=60');
        expect(answers[59]?.headers.get('x-ratelimit-remaining')).toBe('0');
        const limited = answers[60] as Response;
        expect(limited.status).toBe(429);
        expect(limited.body['violated-policies']).toEqual(['api']);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      });

      it('counts every key and the session of a workspace in one budget', async () => {
        const user = await signUp(t.url, 'keys');
        const created = await user.session.request('POST', '/api/v1/api-keys', {
          name: 'second',
          scopes: ['links:read'],
        });
        expect(created.status).toBe(201);
        const second = caller(t.url, { key: created.body.key });
        nextWindow();
        const answers = await burst([user.api, second, user.session], 60);
        expect(answers.map((r) => r.status)).toEqual(Array(60).fill(200));
        for (const who of [user.api, second, user.session]) {
          expect((await who.request('GET', '/api/v1/links')).status).toBe(429);
        }
        // Another workspace has a budget of its own.
        const other = await signUp(t.url, 'other');
        expect((await other.api.request('GET', '/api/v1/links')).status).toBe(200);
        // The next minute restores it.
        nextWindow();
        expect((await second.request('GET', '/api/v1/links')).status).toBe(200);
      });

      it("shows and enforces each plan's published figure, the unlimited plan's 100,000 included", async () => {
        const published = await (
          await signUp(t.url, 'catalogue')
        ).session.request('GET', '/api/v1/plans');
        const plans = published.body.items as {
          id: string;
          limits: { apiRequestsPerMinute: number };
        }[];
        expect(plans.find((p) => p.id === 'unlimited')?.limits.apiRequestsPerMinute).toBe(100_000);
        for (const plan of plans) {
          const user = await signUp(t.url, plan.id);
          await t.app.ctx.db
            .updateTable('workspaces')
            .set({ plan: plan.id })
            .where('id', '=', user.workspaceId)
            .execute();
          // Past the remembered budget of the sign-up's own request.
          nextWindow();
          enforced.clear();
          const res = await user.api.request('GET', '/api/v1/links');
          expect(res.status).toBe(200);
          const figure = plan.limits.apiRequestsPerMinute;
          expect(policyOf(res), plan.id).toBe(`"api";q=${figure};w=60`);
          expect(res.headers.get('x-ratelimit-limit')).toBe(String(figure));
          expect([...enforced.values()], plan.id).toEqual([figure]);
        }
      });

      it('counts requests outside any workspace per user, with the default API budget', async () => {
        const loners: FixtureUser[] = [await makeUser(t, 'loner'), await makeUser(t, 'loner')];
        nextWindow();
        const first = await burst([loners[0]!.session], 6, '/api/v1/me');
        expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
        expect(policyOf(first[0] as Response)).toBe('"api";q=5;w=60');
        // Same address, another user: a budget of its own.
        expect((await loners[1]!.session.request('GET', '/api/v1/me')).status).toBe(200);
      });

      it('keeps counting refused keys by address, before answering 401', async () => {
        nextWindow();
        const guesser = caller(t.url, { key: 'qrl_live_' + 'B'.repeat(38) });
        const answers = await burst([guesser], 6, '/api/v1/me');
        expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429]);
      });
    },
  );
}

describe.skipIf(pgMissing !== null || redisDown !== null)(
  'one workspace budget across two servers sharing Redis and PostgreSQL',
  () => {
    let database: ScratchPostgres;
    const scratch = scratchRedisPrefix();
    const apps: TestApp[] = [];
    const clock = new ManualClock(T0);

    beforeAll(async () => {
      database = await createScratchPostgres();
      // One after the other: the first runs the migrations.
      for (let i = 0; i < 2; i++) {
        apps.push(
          await startTestApp({
            env: {
              QRLINK_SIGNUP: 'open',
              QRLINK_DEFAULT_PLAN: 'free',
              QRLINK_DATABASE_URL: database.url,
              QRLINK_REDIS_URL: REDIS_URL,
              QRLINK_REDIS_PREFIX: scratch.prefix,
            },
            overrides: { clock },
          }),
        );
      }
    });
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.close()));
      await database?.drop();
      await scratch.drop();
    });

    it('lets 60 requests of a free workspace through in a minute, however they are spread', async () => {
      const [a, b] = apps as [TestApp, TestApp];
      const user = await signUp(a.url, 'shared');
      clock.advance(MINUTE);
      const everyWay = [
        user.session,
        caller(b.url, { key: user.key }),
        user.api,
        caller(b.url, { cookie: user.cookie }),
      ];
      const answers = await burst(everyWay, 60);
      expect(answers.map((r) => r.status)).toEqual(Array(60).fill(200));
      for (const who of everyWay) {
        const res = await who.request('GET', '/api/v1/links');
        expect(res.status).toBe(429);
        expect(policyOf(res)).toBe('"api";q=60;w=60');
      }
    });
  },
);
