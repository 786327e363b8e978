import type { AppContext } from '../context.js';
import type { Entitlements } from '../billing/entitlements.js';
import type { Api } from '../http/server.js';
import { withErrors } from '../http/schemas.js';
import { actorOf } from '../workspaces/routes.js';
import { streamCsv } from './export.js';
import type { LiveFeed } from './live.js';
import { analyticsFor } from './queries.js';
import { AnalyticsQuery, AnalyticsView, ExportQuery } from './schemas.js';

export const LIVE_HEARTBEAT_MS = 15_000;

export function analyticsRoutes(
  app: Api,
  ctx: AppContext,
  live: LiveFeed,
  entitlements: Entitlements,
  options: { heartbeatMs?: number } = {},
): void {
  const tags = ['analytics'];

  app.get(
    '/api/v1/analytics',
    {
      schema: {
        tags,
        summary: 'Totals, time series and breakdowns, answered from rollups',
        description: 'See docs/analytics.md for how each number is counted.',
        querystring: AnalyticsQuery,
        response: withErrors({ 200: AnalyticsView }),
      },
      config: { auth: 'workspace', permission: 'analytics:read' },
    },
    async (request) =>
      analyticsFor(
        ctx.db,
        ctx.dialect,
        actorOf(request).workspace.id,
        request.query,
        ctx.clock.now(),
      ),
  );

  app.get(
    '/api/v1/analytics/export',
    {
      schema: {
        tags,
        summary: 'Raw scan events as CSV (streamed; within the retention period)',
        querystring: ExportQuery,
        response: withErrors({ 200: { type: 'string', description: 'text/csv' } }),
      },
      config: { auth: 'workspace', permission: 'analytics:read' },
    },
    async (request, reply) => {
      const { workspace } = actorOf(request);
      await entitlements.assert(ctx.db, workspace.id, { kind: 'feature', feature: 'csvExport' });
      await streamCsv(ctx, reply, workspace.id, request.query);
    },
  );

  app.get(
    '/api/v1/analytics/live',
    {
      schema: {
        tags,
        summary:
          'Server-sent events: each scan of the workspace within a second (bots marked), with a heartbeat',
        response: withErrors({ 200: { type: 'string', description: 'text/event-stream' } }),
      },
      config: { auth: 'workspace', permission: 'analytics:read', rateLimit: 'none' },
    },
    async (request, reply) => {
      const { workspace } = actorOf(request);
      await entitlements.assert(ctx.db, workspace.id, { kind: 'feature', feature: 'liveView' });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      res.write(
        `retry: 3000\nevent: ready\ndata: {"workspaceId":${JSON.stringify(workspace.id)}}\n\n`,
      );
      const unsubscribe = live.subscribe(workspace.id, (event) => {
        const data = {
          id: event.id,
          time: new Date(event.time).toISOString(),
          linkId: event.linkId,
          via: event.via,
          class: event.trafficClass,
          bot: event.bot,
          country: event.country,
          device: event.device,
          os: event.os,
          browser: event.browser,
          referrer: event.referrerHost,
          rule: event.ruleIndex,
          variant: event.variantIndex,
        };
        res.write(`id: ${event.id}\nevent: scan\ndata: ${JSON.stringify(data)}\n\n`);
      });
      const heartbeat = setInterval(
        () => res.write(`: heartbeat ${Date.now()}\n\n`),
        options.heartbeatMs ?? LIVE_HEARTBEAT_MS,
      );
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.raw.on('close', close);
      res.on('error', close);
    },
  );
}
