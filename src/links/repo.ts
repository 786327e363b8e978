import { sql, type Insertable, type RawBuilder, type Updateable } from 'kysely';
import type { DialectName, Executor } from '../db/index.js';
import type { LinksTable } from '../db/schema.js';
import { codeKey } from './codes.js';

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

/** `text` matched literally inside a LIKE pattern. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Explicit ESCAPE: SQLite has no default LIKE escape character, PostgreSQL's is backslash. */
function like(value: RawBuilder<unknown>, pattern: string) {
  return sql<boolean>`${value} like ${pattern} escape '\\'`;
}

/**
 * One row per tag of the link, as `tag.value`: the tags column holds a JSON array of strings,
 * and matching its text would find the JSON punctuation (`[`, `"`, `,`) in every link.
 */
function tagRows(dialect: DialectName) {
  return dialect === 'postgres'
    ? sql`jsonb_array_elements_text(links.tags::jsonb) as tag(value)`
    : sql`json_each(links.tags) as tag`;
}

function someTag(dialect: DialectName, condition: RawBuilder<unknown>) {
  return sql<boolean>`exists (select 1 from ${tagRows(dialect)} where ${condition})`;
}

function hasTag(dialect: DialectName, tag: string) {
  return someTag(dialect, sql`tag.value = ${tag}`);
}

/** Ids of the workspace's links matching analytics filters (archived ones included). */
export async function linkIdsMatching(
  db: Executor,
  dialect: DialectName,
  workspaceId: string,
  filter: { linkId?: string; tag?: string; domain?: string },
): Promise<string[]> {
  let query = db.selectFrom('links').select('id').where('workspace_id', '=', workspaceId);
  if (filter.linkId) query = query.where('id', '=', filter.linkId);
  if (filter.tag) query = query.where(hasTag(dialect, filter.tag));
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

/**
 * Newest first; the cursor is the last id seen. `q` is found inside the code, title or
 * destination, or at the start of a tag (tags are stored in lower case).
 */
export async function listLinks(db: Executor, dialect: DialectName, f: LinkFilter) {
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
  if (f.tag) query = query.where(hasTag(dialect, f.tag));
  if (f.q) {
    const text = escapeLike(f.q.toLowerCase());
    query = query.where(({ or }) =>
      or([
        like(sql`lower(code)`, `%${text}%`),
        like(sql`lower(coalesce(title, ''))`, `%${text}%`),
        like(sql`lower(url)`, `%${text}%`),
        someTag(dialect, like(sql`tag.value`, `${text}%`)),
      ]),
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

/** Links holding any of these code keys, on any domain (archived ones too). */
export async function findLinksByCodeKeys(db: Executor, codeKeys: readonly string[]) {
  if (codeKeys.length === 0) return [];
  // tenant-exempt: codes the server's own paths take are taken in every workspace
  return db
    .selectFrom('links')
    .select(['id', 'workspace_id', 'domain', 'code', 'code_key'])
    .where('code_key', 'in', codeKeys)
    .orderBy('id')
    .execute();
}

/** Gives a link a new code, only if it still has `fromKey`; false when another process did it. */
export async function changeLinkCode(
  db: Executor,
  id: string,
  fromKey: string,
  code: string,
  now: number,
): Promise<boolean> {
  // tenant-exempt: a start-up step moving links off reserved codes, whichever workspace has them
  const result = await db
    .updateTable('links')
    .set({ code, code_key: codeKey(code), updated_at: now })
    .where('id', '=', id)
    .where('code_key', '=', fromKey)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
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
