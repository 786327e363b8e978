import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { redisLimiter } from '../../src/adapters/redis-limiter.js';
import { caller, startTestApp } from '../helpers/app.js';
import { REDIS_URL, redisMissing, scratchRedisPrefix } from '../helpers/services.js';

/**
 * Rate-limit counters in a real Redis (QRLINK_REDIS_URL): shared by processes, exact under
 * concurrency, and falling back to process memory when Redis does not answer.
 */
const missing = await redisMissing();
const scratch = scratchRedisPrefix();
afterAll(() => (missing ? undefined : scratch.drop()));

describe.skipIf(missing !== null)('rate limits in Redis', () => {
  it('are one budget for every limiter on the same prefix, counted exactly under concurrency', async () => {
    const clock = new ManualClock();
    const limiters = [0, 1, 2].map(() =>
      redisLimiter({ url: REDIS_URL, prefix: scratch.prefix, now: () => clock.now() }),
    );
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => limiters[i % 3]!.hit('api:ip:1', 20, 60_000)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(20);
      expect(results.map((r) => r.remaining).sort((a, b) => a - b)[0]).toBe(0);
      expect(results[0]?.resetMs).toBe(60_000);
      // Another key, and another prefix, have budgets of their own.
      expect((await limiters[0]!.hit('api:ip:2', 20, 60_000)).remaining).toBe(19);
      const other = redisLimiter({ url: REDIS_URL, prefix: `${scratch.prefix}other:` });
      expect((await other.hit('api:ip:1', 20, 60_000)).remaining).toBe(19);
      await other.close();
      // The next window starts afresh.
      clock.advance(60_000);
      expect((await limiters[1]!.hit('api:ip:1', 20, 60_000)).allowed).toBe(true);
    } finally {
      await Promise.all(limiters.map((l) => l.close()));
    }
  });

  it('stores each window under the prefix with an expiry just past its end', async () => {
    const clock = new ManualClock();
    const limiter = redisLimiter({
      url: REDIS_URL,
      prefix: scratch.prefix,
      now: () => clock.now(),
    });
    const redis = new Redis(REDIS_URL);
    try {
      await limiter.hit('auth:ip:9', 5, 30_000);
      const keys = await redis.keys(`${scratch.prefix}rl:auth:ip:9:*`);
      expect(keys).toEqual([`${scratch.prefix}rl:auth:ip:9:${clock.now()}`]);
      const ttl = await redis.pttl(keys[0]!);
      expect(ttl).toBeGreaterThan(30_000);
      expect(ttl).toBeLessThanOrEqual(31_000);
    } finally {
      redis.disconnect();
      await limiter.close();
    }
  });

  it('shares the API budget between two servers on one Redis', async () => {
    const clock = new ManualClock();
    const start = () =>
      startTestApp({
        env: {
          QRLINK_REDIS_URL: REDIS_URL,
          QRLINK_REDIS_PREFIX: scratch.prefix,
          QRLINK_TRUSTED_PROXIES: '127.0.0.1',
        },
        overrides: {
          clock,
          rateLimits: {
            api: { limit: 4, windowMs: 60_000 },
            auth: { limit: 4, windowMs: 60_000 },
          },
        },
      });
    const [a, b] = await Promise.all([start(), start()]);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await caller((i % 2 ? b : a).url).request('GET', '/api/v1/me', undefined, {
          'x-forwarded-for': '198.51.100.7',
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('rate limits when Redis does not answer', () => {
  it('fall back to process memory, say so once, and never fail the request', async () => {
    const fallbacks: unknown[] = [];
    // Port 9 (discard) on loopback: nothing listens, connections are refused at once.
    const limiter = redisLimiter({
      url: 'redis://127.0.0.1:9',
      prefix: 'qrlink-test-down:',
      onFallback: (err) => fallbacks.push(err),
    });
    try {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.hit('api:ip:1', 3, 60_000));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(fallbacks).toHaveLength(1);
    } finally {
      await limiter.close();
    }
  });
});
