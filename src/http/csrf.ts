import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-origin protection for browser requests (ACC-06), as Go's CrossOriginProtection does it:
 * an unsafe request is refused when Sec-Fetch-Site says another site sent it, or, for older
 * browsers, when its Origin is not our own. Requests without either header are not from a
 * browser. Bearer-authenticated calls are exempt: browsers never attach them by themselves.
 */
export function isCrossOrigin(request: FastifyRequest, ownOrigin: string): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (request.headers.authorization) return false;
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  const host = request.headers.host;
  return origin !== ownOrigin && (host === undefined || !sameHost(origin, host));
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function registerCsrf(app: FastifyInstance, ownOrigin: string): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.csrfExempt) return;
    if (isCrossOrigin(request, ownOrigin)) {
      throw new AppError('csrf_rejected', 'Cross-site requests to this endpoint are refused');
    }
  });
}
