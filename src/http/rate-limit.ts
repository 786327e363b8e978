import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import type { Limiter, LimiterResult } from '../adapters/limiter.js';
import type { RateLimitClass } from './types.js';

export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
}

/**
 * Ceilings per class. Inside a workspace the plan's `apiRequestsPerMinute` lowers the API
 * ceiling (free 60, pro 600, …); the ceiling caps even unlimited plans.
 */
export const DEFAULT_RATE_LIMITS: Record<Exclude<RateLimitClass, 'none'>, RateLimitPolicy> = {
  api: { limit: 10_000, windowMs: 60_000 },
  auth: { limit: 20, windowMs: 60_000 },
};

/**
 * IETF RateLimit / RateLimit-Policy fields (draft-ietf-httpapi-ratelimit-headers-11) plus the
 * widespread X-RateLimit-* trio (Reset as epoch seconds, as GitHub does) (RL-01/02).
 */
export function setRateLimitHeaders(
  reply: FastifyReply,
  name: string,
  policy: RateLimitPolicy,
  result: LimiterResult,
  now: number,
): void {
  const resetSeconds = Math.max(0, Math.ceil(result.resetMs / 1000));
  const windowSeconds = Math.ceil(policy.windowMs / 1000);
  reply.header('ratelimit-policy', `"${name}";q=${policy.limit};w=${windowSeconds}`);
  reply.header('ratelimit', `"${name}";r=${result.remaining};t=${resetSeconds}`);
  reply.header('x-ratelimit-limit', String(policy.limit));
  reply.header('x-ratelimit-remaining', String(result.remaining));
  reply.header('x-ratelimit-reset', String(Math.ceil((now + result.resetMs) / 1000)));
}

/** The API budget of a workspace's plan; requests outside a workspace use the defaults. */
export type ApiBudget = (workspaceId: string) => Promise<number | null>;

export function registerRateLimit(
  app: FastifyInstance,
  limiter: Limiter,
  policies: typeof DEFAULT_RATE_LIMITS,
  now: () => number,
  apiBudget: ApiBudget,
): void {
  app.addHook('onRequest', async (request, reply) => {
    const cls = request.routeOptions.config.rateLimit ?? 'api';
    if (cls === 'none') return;
    let policy = policies[cls];
    if (cls === 'api' && request.workspace) {
      const budget = await apiBudget(request.workspace.id);
      if (budget !== null) policy = { ...policy, limit: Math.min(policy.limit, budget) };
    }
    const principal = request.principal;
    const subject =
      cls === 'auth'
        ? `ip:${request.clientIp}`
        : principal?.kind === 'apiKey'
          ? `key:${principal.keyId}`
          : principal
            ? `user:${principal.userId}`
            : `ip:${request.clientIp}`;
    const result = await limiter.hit(`${cls}:${subject}`, policy.limit, policy.windowMs);
    setRateLimitHeaders(reply, cls, policy, result, now());
    if (!result.allowed) {
      const retryAfter = Math.max(1, Math.ceil(result.resetMs / 1000));
      throw new AppError('rate_limited', `Rate limit exceeded; retry in ${retryAfter} s`, {
        headers: { 'retry-after': String(retryAfter) },
        extensions: { 'violated-policies': [cls] },
      });
    }
  });
}
