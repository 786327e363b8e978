import type { Database } from '../db/index.js';
import type { Metrics } from './metrics.js';
import type { Api } from './server.js';

export function systemRoutes(app: Api, database: Database, metrics: Metrics): void {
  const hidden = { hide: true };
  app.get('/healthz', { schema: hidden, config: { rateLimit: 'none' } }, async () => ({
    status: 'ok',
  }));

  app.get('/readyz', { schema: hidden, config: { rateLimit: 'none' } }, async (request, reply) => {
    try {
      await database.ping();
      return { status: 'ready' };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'database unavailable' });
    }
  });

  app.get(
    '/metrics',
    { schema: hidden, config: { rateLimit: 'none' } },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );

  app.get('/api/v1/openapi.json', { schema: hidden, config: { rateLimit: 'none' } }, async () =>
    app.swagger(),
  );
}
