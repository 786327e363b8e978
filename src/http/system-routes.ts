import { safeEqual } from '../accounts/tokens.js';
import type { Database } from '../db/index.js';
import type { WriteHealth } from '../db/write-health.js';
import { AppError } from '../errors.js';
import type { Metrics } from './metrics.js';
import type { Api } from './server.js';

/**
 * Health, readiness, metrics and the OpenAPI document. Ready means the database answers and
 * takes writes. /metrics tells request volumes and internals; with a token configured
 * (QRLINK_METRICS_TOKEN) it answers only a scraper that sends it as a bearer token.
 */
export function systemRoutes(
  app: Api,
  database: Database,
  writes: WriteHealth,
  metrics: Metrics,
  metricsToken: string | null,
): void {
  const hidden = { hide: true };
  app.get('/healthz', { schema: hidden, config: { rateLimit: 'none' } }, async () => ({
    status: 'ok',
  }));

  app.get('/readyz', { schema: hidden, config: { rateLimit: 'none' } }, async (request, reply) => {
    try {
      await database.ping();
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'database unavailable' });
    }
    const state = await writes.check();
    if (state.writable) return { status: 'ready' };
    if (state.cause === 'unavailable') {
      return reply.code(503).send({ status: 'database unavailable' });
    }
    // The cause was logged when writes started failing: not again on every probe.
    return reply.code(503).send({ status: 'database not writable', cause: state.cause });
  });

  app.get(
    '/metrics',
    { schema: hidden, config: { rateLimit: 'none', ownBearer: true } },
    async (request, reply) => {
      if (metricsToken !== null) {
        const sent = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
        if (!safeEqual(sent, metricsToken)) throw new AppError('unauthenticated');
      }
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );

  app.get('/api/v1/openapi.json', { schema: hidden, config: { rateLimit: 'none' } }, async () =>
    app.swagger(),
  );
}
