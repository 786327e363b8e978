import { Type } from 'typebox';
import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import type { Entitlements } from '../billing/entitlements.js';
import type { Api } from '../http/server.js';
import type { Principal, WorkspaceAccess } from '../http/types.js';
import { iso, page, PageQuery, problemResponse, withErrors } from '../http/schemas.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import * as repo from './repo.js';
import * as service from './service.js';
import {
  AcceptInvitationBody,
  CreateWorkspaceBody,
  InvitationParams,
  InvitationView,
  InviteBody,
  MemberParams,
  MemberView,
  UpdateMemberBody,
  UpdateWorkspaceBody,
  WorkspaceParams,
  WorkspaceView,
} from './schemas.js';

/** The principal and workspace a 'workspace' route has already resolved and authorised. */
export function actorOf(request: {
  principal: Principal | null;
  workspace: WorkspaceAccess | null;
  clientIp: string;
}) {
  if (!request.principal || !request.workspace) throw new AppError('unauthenticated');
  return { principal: request.principal, workspace: request.workspace, ip: request.clientIp };
}

function sliceAfter<T extends { id: string }>(
  rows: T[],
  cursor: string | null,
  limit: number,
): T[] {
  const start = cursor === null ? 0 : rows.findIndex((r) => r.id > cursor);
  return start < 0 ? [] : rows.slice(start, start + limit + 1);
}

export function workspaceRoutes(app: Api, ctx: AppContext, entitlements: Entitlements): void {
  const tags = ['workspaces'];
  const viewOf = async (
    row: { id: string; name: string; track: number; created_at: number },
    role: string,
  ) => {
    const { plan, basePlan } = await entitlements.current(ctx.db, row.id);
    return {
      id: row.id,
      name: row.name,
      plan: plan.id,
      basePlan,
      role,
      track: row.track === 1,
      createdAt: iso(row.created_at),
    };
  };

  app.get(
    '/api/v1/workspaces',
    {
      schema: {
        tags,
        summary: 'Workspaces the caller belongs to',
        querystring: PageQuery,
        response: withErrors({ 200: page(WorkspaceView) }),
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const principal = request.principal as Principal;
      const limit = request.query.limit ?? 50;
      const all = (await repo.listWorkspacesOfUser(ctx.db, principal.userId))
        .filter((w) => principal.kind === 'session' || w.id === principal.workspaceId)
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const views = [];
      for (const w of sliceAfter(all, decodeCursor(request.query.cursor), limit)) {
        views.push(await viewOf(w, w.role));
      }
      return toPage(views, limit, (view) => view);
    },
  );

  app.post(
    '/api/v1/workspaces',
    {
      schema: {
        tags,
        summary: 'Create a workspace (you become its owner)',
        body: CreateWorkspaceBody,
        response: withErrors({ 201: WorkspaceView }),
      },
      config: { auth: 'user', sessionOnly: true, idempotent: true },
    },
    async (request, reply) => {
      const principal = request.principal as Principal;
      const ws = await service.createWorkspace(
        ctx,
        principal.userId,
        request.body.name,
        request.clientIp,
      );
      return reply
        .code(201)
        .send(
          await viewOf({ id: ws.id, name: ws.name, track: 1, created_at: ws.createdAt }, ws.role),
        );
    },
  );

  app.get(
    '/api/v1/workspaces/:workspaceId',
    {
      schema: {
        tags,
        summary: 'One workspace',
        params: WorkspaceParams,
        response: withErrors({ 200: WorkspaceView }),
      },
      config: { auth: 'workspace', permission: 'workspace:read' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const row = await repo.findWorkspace(ctx.db, workspace.id);
      if (!row) throw new AppError('not_found', 'Workspace not found');
      return viewOf(row, workspace.role);
    },
  );

  app.patch(
    '/api/v1/workspaces/:workspaceId',
    {
      schema: {
        tags,
        summary: 'Rename a workspace',
        params: WorkspaceParams,
        body: UpdateWorkspaceBody,
        response: withErrors({ 200: WorkspaceView }),
      },
      config: { auth: 'workspace', permission: 'workspace:update' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      await service.updateWorkspace(ctx, actorOf(request), request.body);
      const row = await repo.findWorkspace(ctx.db, workspace.id);
      if (!row) throw new AppError('not_found', 'Workspace not found');
      return viewOf(row, workspace.role);
    },
  );

  app.delete(
    '/api/v1/workspaces/:workspaceId',
    {
      schema: {
        tags,
        summary: 'Delete a workspace and everything in it',
        params: WorkspaceParams,
        response: withErrors({ 204: Type.Null() }),
      },
      config: { auth: 'workspace', permission: 'workspace:delete' },
    },
    async (request, reply) => {
      await service.deleteWorkspace(ctx, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/workspaces/:workspaceId/members',
    {
      schema: {
        tags,
        summary: 'Members and their roles',
        params: WorkspaceParams,
        querystring: PageQuery,
        response: withErrors({ 200: page(MemberView) }),
      },
      config: { auth: 'workspace', permission: 'members:read' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const limit = request.query.limit ?? 50;
      const all = (await repo.listMembers(ctx.db, workspace.id)).sort((a, b) =>
        a.id < b.id ? -1 : 1,
      );
      const rows = sliceAfter(all, decodeCursor(request.query.cursor), limit);
      return toPage(rows, limit, (m) => ({
        id: m.id,
        email: m.email,
        name: m.name,
        role: m.role,
        joinedAt: iso(m.created_at),
      }));
    },
  );

  app.patch(
    '/api/v1/workspaces/:workspaceId/members/:userId',
    {
      schema: {
        tags,
        summary: "Change a member's role",
        params: MemberParams,
        body: UpdateMemberBody,
        response: withErrors({
          204: Type.Null(),
          409: problemResponse('Conflicts with the current state'),
        }),
      },
      config: { auth: 'workspace', permission: 'members:manage' },
    },
    async (request, reply) => {
      await service.changeRole(ctx, actorOf(request), request.params.userId, request.body.role);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/workspaces/:workspaceId/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member, or leave (your own id)',
        params: MemberParams,
        response: withErrors({
          204: Type.Null(),
          409: problemResponse('Conflicts with the current state'),
        }),
      },
      config: { auth: 'workspace', permission: 'members:manage', selfParam: 'userId' },
    },
    async (request, reply) => {
      await service.removeMember(ctx, actorOf(request), request.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/workspaces/:workspaceId/invitations',
    {
      schema: {
        tags,
        summary: 'Pending invitations',
        params: WorkspaceParams,
        querystring: PageQuery,
        response: withErrors({ 200: page(InvitationView) }),
      },
      config: { auth: 'workspace', permission: 'members:manage' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const limit = request.query.limit ?? 50;
      const all = await repo.listInvitations(ctx.db, workspace.id, ctx.clock.now());
      const rows = sliceAfter(all, decodeCursor(request.query.cursor), limit);
      return toPage(rows, limit, (i) => ({
        id: i.id,
        email: i.email,
        role: i.role,
        createdAt: iso(i.created_at),
        expiresAt: iso(i.expires_at),
      }));
    },
  );

  app.post(
    '/api/v1/workspaces/:workspaceId/invitations',
    {
      schema: {
        tags,
        summary: 'Invite someone by e-mail',
        params: WorkspaceParams,
        body: InviteBody,
        response: withErrors({ 201: InvitationView }),
      },
      config: { auth: 'workspace', permission: 'members:manage', idempotent: true },
    },
    async (request, reply) => {
      const inv = await service.inviteMember(
        ctx,
        entitlements,
        actorOf(request),
        request.body.email,
        request.body.role,
      );
      return reply
        .code(201)
        .send({ ...inv, createdAt: iso(inv.createdAt), expiresAt: iso(inv.expiresAt) });
    },
  );

  app.delete(
    '/api/v1/workspaces/:workspaceId/invitations/:invitationId',
    {
      schema: {
        tags,
        summary: 'Withdraw an invitation',
        params: InvitationParams,
        response: withErrors({ 204: Type.Null() }),
      },
      config: { auth: 'workspace', permission: 'members:manage' },
    },
    async (request, reply) => {
      await service.withdrawInvitation(ctx, actorOf(request), request.params.invitationId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/invitations/accept',
    {
      schema: {
        tags,
        summary: 'Join a workspace with an invitation token',
        body: AcceptInvitationBody,
        response: withErrors({
          200: Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() }),
          409: problemResponse('Conflicts with the current state'),
        }),
      },
      config: { auth: 'user', sessionOnly: true },
    },
    async (request) => {
      const principal = request.principal as Principal;
      return service.acceptInvitation(
        ctx,
        principal.userId,
        principal.email,
        request.body.token,
        request.clientIp,
      );
    },
  );
}
