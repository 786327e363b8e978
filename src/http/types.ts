import type { Permission, Role, Scope } from '../workspaces/roles.js';

export type Principal =
  | { kind: 'session'; userId: string; email: string; sessionId: string }
  | {
      kind: 'apiKey';
      userId: string;
      email: string;
      keyId: string;
      workspaceId: string;
      scopes: ReadonlySet<Scope>;
    };

export interface WorkspaceAccess {
  id: string;
  name: string;
  role: Role;
}

/** Who may call a route: nobody in particular, any signed-in principal, or a workspace member. */
export type AuthMode = 'public' | 'user' | 'workspace';

export type RateLimitClass = 'api' | 'auth' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    /** Required in the resolved workspace (role for sessions, scope + creator's role for keys). */
    permission?: Permission;
    /**
     * A path parameter holding a user id: a session acting on itself (leaving a workspace) needs
     * only `workspace:read` instead of `permission`.
     */
    selfParam?: string;
    /** Only a signed-in user may call it; API keys get 403. */
    sessionOnly?: boolean;
    rateLimit?: RateLimitClass;
    /** Honour Idempotency-Key (RL-09); set on every POST that creates something. */
    idempotent?: boolean;
    /** Exempt from the cross-origin check (only for server-to-server endpoints such as webhooks). */
    csrfExempt?: boolean;
    /** The route checks its own bearer token (the /metrics scrape token), not API keys. */
    ownBearer?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    workspace: WorkspaceAccess | null;
    /** Client address after applying QRLINK_TRUSTED_PROXIES. */
    clientIp: string;
  }
}
