import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { Api } from '../http/server.js';
import { iso, page, PageQuery, Timestamp, withErrors } from '../http/schemas.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import { actorOf } from '../workspaces/routes.js';
import { listAudit } from './repo.js';

const AuditView = Type.Object({
  id: Type.String(),
  action: Type.String(),
  actorUserId: Type.Union([Type.String(), Type.Null()]),
  actorKeyId: Type.Union([Type.String(), Type.Null()]),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  ipNetwork: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Timestamp,
});

export function auditRoutes(app: Api, ctx: AppContext): void {
  app.get(
    '/api/v1/audit-log',
    {
      schema: {
        tags: ['audit'],
        summary: "The workspace's security events, newest first",
        querystring: PageQuery,
        response: withErrors({ 200: page(AuditView) }),
      },
      config: { auth: 'workspace', permission: 'audit:read' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listAudit(ctx.db, workspace.id, limit, decodeCursor(request.query.cursor));
      return toPage(rows, limit, (r) => ({
        id: r.id,
        action: r.action,
        actorUserId: r.actor_user_id,
        actorKeyId: r.actor_key_id,
        targetType: r.target_type,
        targetId: r.target_id,
        ipNetwork: r.ip_network,
        details: JSON.parse(r.details) as Record<string, unknown>,
        createdAt: iso(r.created_at),
      }));
    },
  );
}
