import { isUniqueViolation, type Executor } from '../db/index.js';

export type DomainStatus = 'pending' | 'active' | 'failed';

export async function insertDomain(
  db: Executor,
  d: {
    id: string;
    workspaceId: string;
    host: string;
    token: string;
    now: number;
    rootUrl: string | null;
    notFoundUrl: string | null;
  },
): Promise<void> {
  await db
    .insertInto('domains')
    .values({
      id: d.id,
      workspace_id: d.workspaceId,
      host: d.host,
      verification_token: d.token,
      status: 'pending',
      verified_at: null,
      checked_at: null,
      root_url: d.rootUrl,
      not_found_url: d.notFoundUrl,
      created_at: d.now,
    })
    .execute();
}

export async function findDomain(db: Executor, workspaceId: string, id: string) {
  return db
    .selectFrom('domains')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findDomainById(db: Executor, id: string) {
  // tenant-exempt: the change feed reloads a domain by id for every process, across tenants
  return db.selectFrom('domains').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDomainByHost(db: Executor, workspaceId: string, host: string) {
  return db
    .selectFrom('domains')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('host', '=', host)
    .executeTakeFirst();
}

export async function findActiveDomainByHost(db: Executor, host: string) {
  // tenant-exempt: a verified host belongs to one workspace; callers compare its workspace_id
  return db
    .selectFrom('domains')
    .selectAll()
    .where('host', '=', host)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export async function listDomains(
  db: Executor,
  workspaceId: string,
  after: string | null,
  limit: number,
) {
  let query = db
    .selectFrom('domains')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id', 'asc')
    .limit(limit + 1);
  if (after) query = query.where('id', '>', after);
  return query.execute();
}

export async function listActiveDomains(db: Executor) {
  // tenant-exempt: the redirect engine serves every verified domain
  return db.selectFrom('domains').selectAll().where('status', '=', 'active').execute();
}

export async function listDomainsToRecheck(db: Executor, checkedBefore: number) {
  // tenant-exempt: the daily re-verification job checks every tenant
  return db
    .selectFrom('domains')
    .selectAll()
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('checked_at', 'is', null), eb('checked_at', '<', checkedBefore)]))
    .execute();
}

/**
 * Marks a domain verified. `'taken'` when another workspace holds the host active: the partial
 * unique index refuses a second holder (RED-10), so concurrent verifications cannot both win.
 */
export async function activateDomain(
  db: Executor,
  id: string,
  now: number,
): Promise<'activated' | 'taken'> {
  try {
    // tenant-exempt: called with an id the caller already tenant-checked
    await db
      .updateTable('domains')
      .set({ status: 'active', checked_at: now, verified_at: now })
      .where('id', '=', id)
      .execute();
    return 'activated';
  } catch (err) {
    if (isUniqueViolation(err)) return 'taken';
    throw err;
  }
}

/** Stops a domain serving (its record is gone, or it never verified). */
export async function deactivateDomain(
  db: Executor,
  id: string,
  status: Exclude<DomainStatus, 'active'>,
  now: number,
): Promise<void> {
  // tenant-exempt: called with ids the caller already tenant-checked, or by the re-verification job
  await db.updateTable('domains').set({ status, checked_at: now }).where('id', '=', id).execute();
}

/** Records a check that changes nothing: whatever the status is now, it stays. */
export async function markDomainChecked(db: Executor, id: string, now: number): Promise<void> {
  // tenant-exempt: called with ids the caller already tenant-checked, or by the re-verification job
  await db.updateTable('domains').set({ checked_at: now }).where('id', '=', id).execute();
}

export async function updateDomainUrls(
  db: Executor,
  workspaceId: string,
  id: string,
  urls: { rootUrl?: string | null; notFoundUrl?: string | null },
): Promise<void> {
  await db
    .updateTable('domains')
    .set({
      ...(urls.rootUrl !== undefined ? { root_url: urls.rootUrl } : {}),
      ...(urls.notFoundUrl !== undefined ? { not_found_url: urls.notFoundUrl } : {}),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function deleteDomain(db: Executor, workspaceId: string, id: string): Promise<void> {
  await db
    .deleteFrom('domains')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function countLinksOnDomain(db: Executor, host: string): Promise<number> {
  // tenant-exempt: a host is verified for one workspace only, so its links are that tenant's
  const row = await db
    .selectFrom('links')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('domain', '=', host)
    .where('archived_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
