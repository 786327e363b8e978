import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import { recordAudit } from '../audit/repo.js';
import { generateApiKey, parseApiKey, type KeyMode } from '../accounts/api-key-format.js';
import { keyedHash } from '../accounts/tokens.js';
import type { Principal, WorkspaceAccess } from '../http/types.js';
import { newId } from '../shared/ids.js';
import { findWorkspace } from '../workspaces/repo.js';
import { ROLES, SCOPES, scopesGrantable, type Role, type Scope } from '../workspaces/roles.js';
import * as repo from './repo.js';

/** last_used_at is written at most once a minute per key, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface CreatedKey {
  id: string;
  key: string;
  name: string;
  mode: KeyMode;
  last4: string;
  scopes: Scope[];
  createdAt: number;
}

export async function createApiKey(
  ctx: AppContext,
  input: {
    workspaceId: string;
    userId: string;
    role: Role;
    name: string;
    mode: KeyMode;
    scopes: Scope[];
    ip?: string | null;
  },
): Promise<CreatedKey> {
  const grantable = new Set(scopesGrantable(input.role));
  const refused = input.scopes.filter((s) => !grantable.has(s));
  if (refused.length > 0) {
    throw new AppError(
      'forbidden',
      `Your role (${input.role}) cannot grant: ${refused.join(', ')}`,
    );
  }
  const scopes = SCOPES.filter((s) => input.scopes.includes(s));
  const key = generateApiKey(input.mode);
  const now = ctx.clock.now();
  const id = newId('key', now);
  await ctx.db.transaction().execute(async (tx) => {
    await repo.insertApiKey(tx, {
      id,
      workspaceId: input.workspaceId,
      createdBy: input.userId,
      name: input.name,
      keyHash: keyedHash(ctx.secret, key),
      mode: input.mode,
      last4: key.slice(-4),
      scopes,
      now,
    });
    await recordAudit(
      tx,
      {
        workspaceId: input.workspaceId,
        actorUserId: input.userId,
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: id,
        ip: input.ip ?? null,
        details: { name: input.name, scopes, mode: input.mode },
      },
      now,
    );
  });
  return {
    id,
    key,
    name: input.name,
    mode: input.mode,
    last4: key.slice(-4),
    scopes,
    createdAt: now,
  };
}

export interface KeyAuthentication {
  principal: Principal & { kind: 'apiKey' };
  workspace: WorkspaceAccess;
}

/** Resolves a bearer key; null for malformed, unknown or revoked keys and departed creators. */
export async function authenticateApiKey(
  ctx: AppContext,
  key: string,
): Promise<KeyAuthentication | null> {
  if (!parseApiKey(key)) return null;
  const row = await repo.findActiveKey(ctx.db, keyedHash(ctx.secret, key));
  if (!row || !row.creatorRole || !(ROLES as readonly string[]).includes(row.creatorRole)) {
    return null;
  }
  const workspace = await findWorkspace(ctx.db, row.workspace_id);
  if (!workspace) return null;
  const now = ctx.clock.now();
  if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) {
    await repo.touchKey(ctx.db, row.workspace_id, row.id, now);
  }
  return {
    principal: {
      kind: 'apiKey',
      keyId: row.id,
      userId: row.userId,
      email: row.email,
      workspaceId: row.workspace_id,
      scopes: new Set(row.scopes.split(' ').filter(Boolean) as Scope[]),
    },
    workspace: {
      id: workspace.id,
      name: workspace.name,
      role: row.creatorRole as Role,
    },
  };
}

export async function revokeApiKey(
  ctx: AppContext,
  input: { workspaceId: string; id: string; actor: Principal; ip?: string | null },
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.revokeKey(tx, input.workspaceId, input.id, now))) {
      throw new AppError('not_found', 'API key not found');
    }
    await recordAudit(
      tx,
      {
        workspaceId: input.workspaceId,
        actorUserId: input.actor.userId,
        actorKeyId: input.actor.kind === 'apiKey' ? input.actor.keyId : null,
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: input.id,
        ip: input.ip ?? null,
      },
      now,
    );
  });
}
