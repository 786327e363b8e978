import type { Executor } from '../db/index.js';
import type { Role } from './roles.js';

export async function insertWorkspace(
  db: Executor,
  ws: { id: string; name: string; plan: string; now: number },
): Promise<void> {
  await db
    .insertInto('workspaces')
    .values({ id: ws.id, name: ws.name, plan: ws.plan, created_at: ws.now })
    .execute();
}

export async function insertMembership(
  db: Executor,
  m: { workspaceId: string; userId: string; role: Role; now: number },
): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ workspace_id: m.workspaceId, user_id: m.userId, role: m.role, created_at: m.now })
    .execute();
}

export async function findMembership(db: Executor, workspaceId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('workspaces', 'workspaces.id', 'memberships.workspace_id')
    .select(['workspaces.id', 'workspaces.name', 'memberships.role'])
    .where('memberships.workspace_id', '=', workspaceId)
    .where('memberships.user_id', '=', userId)
    .executeTakeFirst();
}

/** The role a signed-in session holds in a workspace; undefined once either has ended. */
export async function findSessionRole(
  db: Executor,
  workspaceId: string,
  sessionId: string,
  now: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('memberships')
    .innerJoin('sessions', 'sessions.user_id', 'memberships.user_id')
    .select('memberships.role')
    .where('memberships.workspace_id', '=', workspaceId)
    .where('sessions.id', '=', sessionId)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
  return row?.role;
}

/** The user's workspaces, oldest membership first (the default workspace is the first). */
export async function listWorkspacesOfUser(db: Executor, userId: string) {
  // tenant-exempt: the signed-in user's own memberships, across the workspaces they belong to.
  return db
    .selectFrom('memberships')
    .innerJoin('workspaces', 'workspaces.id', 'memberships.workspace_id')
    .select([
      'workspaces.id',
      'workspaces.name',
      'workspaces.created_at',
      'workspaces.track',
      'memberships.role',
    ])
    .where('memberships.user_id', '=', userId)
    .orderBy('memberships.created_at', 'asc')
    .orderBy('workspaces.id', 'asc')
    .execute();
}

export async function findWorkspace(db: Executor, id: string) {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findWorkspaceByName(db: Executor, name: string) {
  return db
    .selectFrom('workspaces')
    .selectAll()
    .where('name', '=', name)
    .orderBy('id')
    .executeTakeFirst();
}

export async function updateWorkspace(
  db: Executor,
  id: string,
  changes: { name?: string; track?: boolean },
): Promise<void> {
  await db
    .updateTable('workspaces')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.track !== undefined ? { track: changes.track ? 1 : 0 } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteWorkspace(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('workspaces').where('id', '=', id).execute();
}

export async function listMembers(db: Executor, workspaceId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'memberships.created_at'])
    .where('memberships.workspace_id', '=', workspaceId)
    .orderBy('memberships.created_at', 'asc')
    .orderBy('users.id', 'asc')
    .execute();
}

export async function countOwners(db: Executor, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateRole(
  db: Executor,
  workspaceId: string,
  userId: string,
  role: Role,
): Promise<void> {
  await db
    .updateTable('memberships')
    .set({ role })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteMembership(
  db: Executor,
  workspaceId: string,
  userId: string,
): Promise<void> {
  await db
    .deleteFrom('memberships')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

export async function insertInvitation(
  db: Executor,
  inv: {
    id: string;
    workspaceId: string;
    email: string;
    role: Role;
    tokenHash: string;
    invitedBy: string;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await db
    .insertInto('invitations')
    .values({
      id: inv.id,
      workspace_id: inv.workspaceId,
      email: inv.email,
      role: inv.role,
      token_hash: inv.tokenHash,
      invited_by: inv.invitedBy,
      created_at: inv.now,
      expires_at: inv.expiresAt,
      accepted_at: null,
    })
    .execute();
}

export async function listInvitations(db: Executor, workspaceId: string, now: number) {
  return db
    .selectFrom('invitations')
    .select(['id', 'email', 'role', 'created_at', 'expires_at'])
    .where('workspace_id', '=', workspaceId)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'asc')
    .execute();
}

export async function deleteInvitation(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('invitations')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Marks a valid invitation accepted and returns it; single use. */
export async function consumeInvitation(db: Executor, tokenHash: string, now: number) {
  // tenant-exempt: found by the hash of a secret token; the row names the workspace to join.
  return db
    .updateTable('invitations')
    .set({ accepted_at: now })
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'workspace_id', 'email', 'role'])
    .executeTakeFirst();
}
