import type { Executor } from '../db/index.js';

export async function insertApiKey(
  db: Executor,
  key: {
    id: string;
    workspaceId: string;
    createdBy: string;
    name: string;
    keyHash: string;
    mode: string;
    last4: string;
    scopes: string[];
    now: number;
  },
): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      workspace_id: key.workspaceId,
      created_by: key.createdBy,
      name: key.name,
      key_hash: key.keyHash,
      mode: key.mode,
      last4: key.last4,
      scopes: key.scopes.join(' '),
      created_at: key.now,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
}

/** An active key with its creator's current role in the key's workspace (null if they left). */
export async function findActiveKey(db: Executor, keyHash: string) {
  // tenant-exempt: resolves a bearer key by its keyed hash; the row names the key's workspace.
  return db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.created_by')
    .leftJoin('memberships', (join) =>
      join
        .onRef('memberships.workspace_id', '=', 'api_keys.workspace_id')
        .onRef('memberships.user_id', '=', 'api_keys.created_by'),
    )
    .select([
      'api_keys.id',
      'api_keys.workspace_id',
      'api_keys.scopes',
      'api_keys.last_used_at',
      'users.id as userId',
      'users.email',
      'memberships.role as creatorRole',
    ])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
}

/** The current role of a key's creator in the key's workspace; undefined once either is gone. */
export async function findActiveKeyRole(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('memberships', (join) =>
      join
        .onRef('memberships.workspace_id', '=', 'api_keys.workspace_id')
        .onRef('memberships.user_id', '=', 'api_keys.created_by'),
    )
    .select('memberships.role')
    .where('api_keys.workspace_id', '=', workspaceId)
    .where('api_keys.id', '=', id)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  return row?.role;
}

export async function touchKey(
  db: Executor,
  workspaceId: string,
  id: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function listKeys(db: Executor, workspaceId: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'mode', 'last4', 'scopes', 'created_at', 'last_used_at', 'created_by'])
    .where('workspace_id', '=', workspaceId)
    .where('revoked_at', 'is', null)
    .orderBy('id', 'asc')
    .execute();
}

export async function revokeKey(
  db: Executor,
  workspaceId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function revokeKeysOfMember(
  db: Executor,
  workspaceId: string,
  userId: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('created_by', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
