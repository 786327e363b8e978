import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { AccountsService } from '../accounts/service.js';
import type { AppContext } from '../context.js';
import { findActiveKeyRole } from '../api-keys/repo.js';
import { authenticateApiKey } from '../api-keys/service.js';
import { findMembership, findSessionRole, listWorkspacesOfUser } from '../workspaces/repo.js';
import { ROLES, roleAllows, scopesAllow, type Role } from '../workspaces/roles.js';
import { sessionCookieName } from './session-cookie.js';
import type { Principal, WorkspaceAccess } from './types.js';

export const WORKSPACE_HEADER = 'qrlink-workspace';

export { sessionCookieName, sessionCookieSecure } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request carried credentials that were refused (bad or revoked API key). */
    credentialsRefused: AppError | null;
  }
}

function bearerToken(request: FastifyRequest): string | null | AppError {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return new AppError('unauthenticated', 'Authorization must be "Bearer <API key>"');
  return match[1] as string;
}

function requestedWorkspace(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, string | undefined>;
  const header = request.headers[WORKSPACE_HEADER];
  return params.workspaceId ?? (typeof header === 'string' ? header : undefined);
}

async function sessionWorkspace(
  ctx: AppContext,
  request: FastifyRequest,
  userId: string,
): Promise<WorkspaceAccess | null> {
  const wanted = requestedWorkspace(request);
  if (wanted) {
    const row = await findMembership(ctx.db, wanted, userId);
    return row ? { id: row.id, name: row.name, role: row.role as Role } : null;
  }
  const [first] = await listWorkspacesOfUser(ctx.db, userId);
  return first ? { id: first.id, name: first.name, role: first.role as Role } : null;
}

/**
 * Step 1 of 2, before rate limiting: who is calling (API key or session cookie), and in which
 * workspace (the rate limit is the workspace's budget)? Refused credentials are only noted
 * here, so that the rate limiter still counts the attempt (by IP) before step 2 answers 401.
 */
export function registerAuth(app: FastifyInstance, ctx: AppContext, accounts: AccountsService) {
  const cookieName = sessionCookieName(ctx.config.http.baseUrl);
  app.decorateRequest('principal', null);
  app.decorateRequest('workspace', null);
  app.decorateRequest('credentialsRefused', null);

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.ownBearer) return;
    const token = bearerToken(request);
    if (token instanceof AppError) {
      request.credentialsRefused = token;
      return;
    }
    if (token) {
      const auth = await authenticateApiKey(ctx, token);
      if (!auth) {
        request.credentialsRefused = new AppError(
          'unauthenticated',
          'The API key is invalid or revoked',
        );
        return;
      }
      request.principal = auth.principal;
      // A key belongs to one workspace: naming any other one finds nothing.
      const wanted = requestedWorkspace(request);
      request.workspace = wanted && wanted !== auth.principal.workspaceId ? null : auth.workspace;
      return;
    }
    const cookie = request.cookies[cookieName];
    const session = cookie ? await accounts.authenticateSession(cookie) : null;
    if (!session) return;
    request.principal = { kind: 'session', ...session };
    if ((request.routeOptions.config.auth ?? 'public') !== 'public') {
      request.workspace = await sessionWorkspace(ctx, request, session.userId);
    }
  });
}

/**
 * Step 2 of 2: enforces what the route declares — `auth` mode, `sessionOnly`, and the
 * `permission` (role for sessions; scope plus the creator's current role for API keys).
 * Another workspace's objects always answer 404, never 403 (ACC-09).
 */
export function registerAuthorization(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    if (request.credentialsRefused) throw request.credentialsRefused;
    const config = request.routeOptions.config;
    const mode = config.auth ?? 'public';
    if (mode === 'public') return;
    const principal = request.principal;
    if (!principal) throw new AppError('unauthenticated', 'Sign in or send an API key');
    if (config.sessionOnly && principal.kind !== 'session') {
      throw new AppError('forbidden', 'This needs a signed-in user; API keys cannot do it');
    }

    const workspace = request.workspace;
    // Naming a workspace the caller does not belong to finds nothing, on every route.
    if (!workspace && (mode === 'workspace' || requestedWorkspace(request))) {
      throw new AppError('not_found', 'Workspace not found');
    }
    if (mode !== 'workspace' || !workspace) return;

    const permission = effectivePermission(request, principal);
    if (!permission) return;
    if (!roleAllows(workspace.role, permission)) {
      throw new AppError('forbidden', `Your role (${workspace.role}) does not allow ${permission}`);
    }
    if (principal.kind === 'apiKey' && !scopesAllow(principal.scopes, permission)) {
      throw new AppError('insufficient_scope', `This API key lacks the scope for ${permission}`);
    }
  });
}

/** The route's permission, or `workspace:read` when a session acts on itself (`selfParam`). */
function effectivePermission(request: FastifyRequest, principal: Principal) {
  const { permission, selfParam } = request.routeOptions.config;
  if (selfParam && principal.kind === 'session') {
    const params = request.params as Record<string, string | undefined>;
    if (params[selfParam] === principal.userId) return 'workspace:read' as const;
  }
  return permission;
}

/**
 * The role a principal holds in a workspace now: null once its access has ended (key revoked,
 * session logged out or expired, member removed, workspace deleted). Responses that outlive
 * their request (the live feed) ask it again while they last.
 */
export async function currentRole(
  ctx: AppContext,
  principal: Principal,
  workspaceId: string,
): Promise<Role | null> {
  const role =
    principal.kind === 'apiKey'
      ? await findActiveKeyRole(ctx.db, workspaceId, principal.keyId)
      : await findSessionRole(ctx.db, workspaceId, principal.sessionId, ctx.clock.now());
  return (ROLES as readonly string[]).includes(role ?? '') ? (role as Role) : null;
}
