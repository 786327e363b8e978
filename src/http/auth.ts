import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { AccountsService } from '../accounts/service.js';
import type { AppContext } from '../context.js';
import { authenticateApiKey } from '../api-keys/service.js';
import { findMembership, listWorkspacesOfUser } from '../workspaces/repo.js';
import { roleAllows, scopesAllow, type Role } from '../workspaces/roles.js';
import type { Principal, WorkspaceAccess } from './types.js';

export const WORKSPACE_HEADER = 'qrlink-workspace';

/** `__Host-` needs Secure, which browsers honour on https and on localhost. */
export function sessionCookieName(baseUrl: URL): string {
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(baseUrl.hostname);
  return baseUrl.protocol === 'https:' || local ? '__Host-qrlink_session' : 'qrlink_session';
}

export function sessionCookieSecure(baseUrl: URL): boolean {
  return sessionCookieName(baseUrl).startsWith('__Host-');
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError('unauthenticated', 'Authorization must be "Bearer <API key>"');
  return match[1] as string;
}

async function sessionWorkspace(
  ctx: AppContext,
  request: FastifyRequest,
  userId: string,
): Promise<WorkspaceAccess | null> {
  const params = request.params as Record<string, string | undefined>;
  const header = request.headers[WORKSPACE_HEADER];
  const wanted = params.workspaceId ?? (typeof header === 'string' ? header : undefined);
  if (wanted) {
    const row = await findMembership(ctx.db, wanted, userId);
    return row ? { id: row.id, name: row.name, plan: row.plan, role: row.role as Role } : null;
  }
  const [first] = await listWorkspacesOfUser(ctx.db, userId);
  return first
    ? { id: first.id, name: first.name, plan: first.plan, role: first.role as Role }
    : null;
}

/**
 * Resolves the caller on every route that is not public, then enforces the route's declared
 * permission: role for sessions, scope plus the creator's current role for API keys.
 * Another workspace's objects always answer 404, never 403 (ACC-09).
 */
export function registerAuth(app: FastifyInstance, ctx: AppContext, accounts: AccountsService) {
  const cookieName = sessionCookieName(ctx.config.http.baseUrl);
  app.decorateRequest('principal', null);
  app.decorateRequest('workspace', null);

  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config.auth ?? 'public';
    const token = bearerToken(request);
    let principal: Principal | null = null;
    let workspace: WorkspaceAccess | null = null;
    if (token) {
      const auth = await authenticateApiKey(ctx, token);
      if (!auth) throw new AppError('unauthenticated', 'The API key is invalid or revoked');
      principal = auth.principal;
      workspace = auth.workspace;
    } else {
      const cookie = request.cookies[cookieName];
      if (cookie) {
        const session = await accounts.authenticateSession(cookie);
        if (session) principal = { kind: 'session', ...session };
      }
    }
    request.principal = principal;
    if (mode === 'public') return;
    if (!principal) throw new AppError('unauthenticated', 'Sign in or send an API key');

    if (principal.kind === 'session') {
      workspace = await sessionWorkspace(ctx, request, principal.userId);
    } else {
      const params = request.params as Record<string, string | undefined>;
      if (params.workspaceId && params.workspaceId !== principal.workspaceId) workspace = null;
    }
    request.workspace = workspace;
    if (mode !== 'workspace') return;
    if (!workspace) throw new AppError('not_found', 'Workspace not found');

    const permission = request.routeOptions.config.permission;
    if (!permission) return;
    if (!roleAllows(workspace.role, permission)) {
      throw new AppError('forbidden', `Your role (${workspace.role}) does not allow ${permission}`);
    }
    if (principal.kind === 'apiKey' && !scopesAllow(principal.scopes, permission)) {
      throw new AppError('insufficient_scope', `This API key lacks the scope for ${permission}`);
    }
  });
}
