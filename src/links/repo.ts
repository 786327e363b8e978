import { sql, type Insertable, type Updateable } from 'kysely';
import type { Executor } from '../db/index.js';
import type { LinksTable } from '../db/schema.js';

export type LinkRow = Awaited<ReturnType<typeof findLink>> & object;

export async function insertLink(db: Executor, row: Insertable<LinksTable>): Promise<void> {
  await db.insertInto('links').values(row).execute();
}

export async function findLink(db: Executor, workspaceId: string, id: string) {
  return db
    .selectFrom('links')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Link columns plus the workspace-wide tracking switch, as the redirect cache needs them. */
function cacheRows(db: Executor) {
  // tenant-exempt: the base of the redirect cache's lookups, which are keyed by id or (host, code)
  return db
    .selectFrom('links')
    .innerJoin('workspaces', 'workspaces.id', 'links.workspace_id')
    .selectAll('links')
    .select('workspaces.track as workspace_track');
}

/** For the redirect cache: not tenant-scoped, because the (host, code) key is the scope. */
export async function findLinkById(db: Executor, id: string) {
  // tenant-exempt: the change feed reloads a link by id for the redirect cache, across tenants
  return cacheRows(db).where('links.id', '=', id).executeTakeFirst();
}

export async function findLinkByKey(db: Executor, domain: string, codeKey: string) {
  // tenant-exempt: the redirect looks links up by (host, code), which is the tenant boundary (RED-10)
  return cacheRows(db)
    .where('links.domain', '=', domain)
    .where('links.code_key', '=', codeKey)
    .executeTakeFirst();
}

/** Every link of a workspace, for the cache after a workspace-wide setting changed. */
export async function linksOfWorkspaceForCache(db: Executor, workspaceId: string) {
  return cacheRows(db).where('links.workspace_id', '=', workspaceId).execute();
}

export async function updateLink(
  db: Executor,
  workspaceId: string,
  id: string,
  changes: Updateable<LinksTable>,
): Promise<void> {
  await db
    .updateTable('links')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Explicit ESCAPE: SQLite has no default LIKE escape character, PostgreSQL's is backslash. */
function hasTag(tag: string) {
  return sql<boolean>`tags like ${likePattern(JSON.stringify(tag))} escape '\\'`;
}

/** Ids of the workspace's links matching analytics filters (archived ones included). */
export async function linkIdsMatching(
  db: Executor,
  workspaceId: string,
  filter: { linkId?: string; tag?: string; domain?: string },
): Promise<string[]> {
  let query = db.selectFrom('links').select('id').where('workspace_id', '=', workspaceId);
  if (filter.linkId) query = query.where('id', '=', filter.linkId);
  if (filter.tag) query = query.where(hasTag(filter.tag));
  if (filter.domain !== undefined) query = query.where('domain', '=', filter.domain);
  return (await query.execute()).map((r) => r.id);
}

export interface LinkFilter {
  workspaceId: string;
  q?: string;
  tag?: string;
  status?: string;
  domain?: string;
  archived: boolean;
  before: string | null;
  limit: number;
}

/** Newest first; the cursor is the last id seen. */
export async function listLinks(db: Executor, f: LinkFilter) {
  let query = db
    .selectFrom('links')
    .selectAll()
    .where('workspace_id', '=', f.workspaceId)
    .where('archived_at', f.archived ? 'is not' : 'is', null)
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.before) query = query.where('id', '<', f.before);
  if (f.status) query = query.where('status', '=', f.status);
  if (f.domain !== undefined) query = query.where('domain', '=', f.domain);
  if (f.tag) query = query.where(hasTag(f.tag));
  if (f.q) {
    const pattern = likePattern(f.q.toLowerCase());
    query = query.where(
      sql<boolean>`(lower(code) like ${pattern} escape '\\' or lower(coalesce(title, '')) like ${pattern} escape '\\' or lower(url) like ${pattern} escape '\\' or lower(tags) like ${pattern} escape '\\')`,
    );
  }
  return query.execute();
}

/** Active links for the redirect cache, in pages (keyset on id). */
export async function pageActiveLinks(db: Executor, after: string, limit: number) {
  // tenant-exempt: the redirect cache preloads every active link
  return cacheRows(db)
    .where('links.archived_at', 'is', null)
    .where('links.id', '>', after)
    .orderBy('links.id', 'asc')
    .limit(limit)
    .execute();
}

/**
 * Counts one password attempt on a protected link (RED-15) in one atomic upsert, so parallel
 * attempts on any process are counted one by one. A window lasts `windowMs` from its first
 * attempt; the answer includes this attempt.
 */
export async function countPasswordAttempt(
  db: Executor,
  key: string,
  now: number,
  windowMs: number,
): Promise<{ attempts: number; windowStart: number }> {
  const current = sql<boolean>`${now} - link_password_attempts.window_start < ${windowMs}`;
  const row = await db
    .insertInto('link_password_attempts')
    .values({ key, window_start: now, attempts: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        attempts: sql`case when ${current} then link_password_attempts.attempts + 1 else 1 end`,
        window_start: sql`case when ${current} then link_password_attempts.window_start else ${now} end`,
      }),
    )
    .returning(['attempts', 'window_start'])
    .executeTakeFirstOrThrow();
  return { attempts: row.attempts, windowStart: row.window_start };
}

/** Takes back one attempt, only within the window it was counted in. */
export async function forgivePasswordAttempt(
  db: Executor,
  key: string,
  windowStart: number,
): Promise<void> {
  await db
    .updateTable('link_password_attempts')
    .set({ attempts: sql`attempts - 1` })
    .where('key', '=', key)
    .where('window_start', '=', windowStart)
    .where('attempts', '>', 0)
    .execute();
}

/** Deletes the counts of windows that began before `before`. */
export async function prunePasswordAttempts(db: Executor, before: number): Promise<number> {
  const result = await db
    .deleteFrom('link_password_attempts')
    .where('window_start', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
