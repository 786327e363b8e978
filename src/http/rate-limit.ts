import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { Limiter, LimiterResult } from '../adapters/limiter.js';
import type { RateLimitClass } from './types.js';

export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
}

/**
 * Budgets that no plan sets: the auth endpoints (per client address), and API requests outside
 * any workspace (per user when signed in, per address when not). Inside a workspace the budget
 * is its plan's `apiRequestsPerMinute`, exactly the figure the plan catalogue publishes.
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

/** The API requests a minute a workspace's plan in force allows. */
export type ApiBudget = (workspaceId: string) => Promise<number>;

/**
 * Counts each request against one budget, after authentication so that the budget is the
 * caller's whatever the credential: the workspace's (its session users and all its keys share
 * it), else the signed-in user's, else the client address's. Refused credentials count by
 * address. The route declares its class (`config.rateLimit`, 'api' by default).
 */
export function registerRateLimit(
  app: FastifyInstance,
  limiter: Limiter,
  policies: typeof DEFAULT_RATE_LIMITS,
  now: () => number,
  apiBudget: ApiBudget,
): void {
  async function budgetOf(
    request: FastifyRequest,
    cls: Exclude<RateLimitClass, 'none'>,
  ): Promise<{ subject: string; policy: RateLimitPolicy }> {
    if (cls === 'auth') return { subject: `ip:${request.clientIp}`, policy: policies.auth };
    const principal = request.principal;
    const workspaceId =
      request.workspace?.id ?? (principal?.kind === 'apiKey' ? principal.workspaceId : null);
    if (workspaceId) {
      const limit = await apiBudget(workspaceId);
      return { subject: `workspace:${workspaceId}`, policy: { limit, windowMs: 60_000 } };
    }
    if (principal) return { subject: `user:${principal.userId}`, policy: policies.api };
    return { subject: `ip:${request.clientIp}`, policy: policies.api };
  }

  app.addHook('onRequest', async (request, reply) => {
    const cls = request.routeOptions.config.rateLimit ?? 'api';
    if (cls === 'none') return;
    const { subject, policy } = await budgetOf(request, cls);
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
