import type { AppContext } from '../context.js';
import type { Entitlements } from '../billing/entitlements.js';
import { currentRole } from '../http/auth.js';
import type { Api } from '../http/server.js';
import { withErrors } from '../http/schemas.js';
import { actorOf } from '../workspaces/routes.js';
import { streamCsv } from './export.js';
import type { LiveFeed } from './live.js';
import { LIVE_STREAM_CAPS, type LiveStreams } from './live-streams.js';
import { analyticsFor } from './queries.js';
import { AnalyticsQuery, AnalyticsView, ExportQuery } from './schemas.js';

export const LIVE_HEARTBEAT_MS = 15_000;

export function analyticsRoutes(
  app: Api,
  ctx: AppContext,
  live: LiveFeed,
  entitlements: Entitlements,
  options: { streams: LiveStreams; heartbeatMs?: number },
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
        description:
          `At most ${LIVE_STREAM_CAPS.perCredential} streams per API key or session and ` +
          `${LIVE_STREAM_CAPS.perWorkspace} per workspace are open at once (429 \`too_many_streams\`). ` +
          'A stream ends within a second of the access it was opened with ending or changing ' +
          '(key revoked, logout, member removed, role changed, workspace deleted).',
        response: withErrors({ 200: { type: 'string', description: 'text/event-stream' } }),
      },
      config: { auth: 'workspace', permission: 'analytics:read', rateLimit: 'none' },
    },
    async (request, reply) => {
      const { principal, workspace } = actorOf(request);
      await entitlements.assert(ctx.db, workspace.id, { kind: 'feature', feature: 'liveView' });
      const res = reply.raw;
      // Set once the stream is running; until then a client that leaves is only noted.
      let stop: (() => void) | null = null;
      let left = false;
      res.once('close', () => (stop ? stop() : (left = true)));
      const credential =
        principal.kind === 'apiKey' ? `key:${principal.keyId}` : `session:${principal.sessionId}`;
      const place = await options.streams.open({
        workspaceId: workspace.id,
        credential,
        access: `${credential}\n${workspace.id}\n${workspace.role}`,
        // Any role change ends the stream: the client reconnects under the role it has now.
        stillAllowed: async () =>
          (await currentRole(ctx, principal, workspace.id)) === workspace.role,
        end: () => {
          stop?.();
          res.end();
        },
      });
      reply.hijack();
      if (left) return place.close();
      // `Connection: close`: when the server ends a stream (access lost, shutdown) the connection
      // goes with it at once, and no client tries to reuse it.
      res.shouldKeepAlive = false;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
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
      stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
        place.close();
      };
      res.on('error', stop);
    },
  );
}
