import { Redis } from 'ioredis';
import { memoryLimiter, type Limiter, type LimiterResult } from './limiter.js';

/**
 * Fixed-window counters in Redis, shared by every process and node pointed at the same server
 * and prefix. A window is one key (`<prefix>rl:<key>:<window start>`), incremented and given
 * its expiry in one script, so concurrent hits across processes are counted exactly.
 *
 * When Redis does not answer, a hit is counted in this process's memory instead (budgets are
 * then per process, as without Redis) and a warning is logged at most once a minute: rate
 * limits must neither fail every request nor vanish while Redis restarts.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

const WARN_EVERY_MS = 60_000;

export interface RedisLimiterOptions {
  url: string;
  /** Namespace for every key (several deployments, or tests, on one Redis). */
  prefix: string;
  now?: () => number;
  /** Called when Redis fails and a hit falls back to process memory (rate-limited). */
  onFallback?: (err: unknown) => void;
}

export function redisLimiter(options: RedisLimiterOptions): Limiter {
  const now = options.now ?? Date.now;
  const redis = new Redis(options.url, {
    // Fail a command at once while disconnected instead of queueing it behind a reconnect:
    // the fallback answers, and the request is not held up.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
  });
  // Connection errors surface on the commands (and so in the fallback); the client reconnects.
  redis.on('error', () => undefined);
  // Hits wait for the first connection attempt only, so a fresh process counts in Redis from
  // its first request; afterwards a hit never waits for a connection.
  const firstAttempt = new Promise<void>((resolve) => {
    redis.once('ready', resolve);
    redis.once('error', () => resolve());
    setTimeout(resolve, 2_000).unref();
  });
  const fallback = memoryLimiter(now);
  let lastWarning = -Infinity;

  return {
    async hit(key, limit, windowMs): Promise<LimiterResult> {
      const time = now();
      const windowStart = time - (time % windowMs);
      await firstAttempt;
      try {
        const count = Number(
          await redis.eval(
            HIT_SCRIPT,
            1,
            `${options.prefix}rl:${key}:${windowStart}`,
            // A little past the window's end, so a clock a few ms apart cannot revive it.
            String(windowMs + 1_000),
          ),
        );
        return {
          allowed: count <= limit,
          limit,
          remaining: Math.max(0, limit - count),
          resetMs: windowStart + windowMs - time,
        };
      } catch (err) {
        if (time - lastWarning >= WARN_EVERY_MS) {
          lastWarning = time;
          options.onFallback?.(err);
        }
        return fallback.hit(key, limit, windowMs);
      }
    },
    async close() {
      await fallback.close();
      redis.disconnect();
    },
  };
}
