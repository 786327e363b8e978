import { sql } from 'kysely';
import type { DialectName, Executor } from './index.js';

export type ChangeKind = 'link' | 'domain' | 'workspace';

export const CHANGE_CHANNEL = 'qrlink_changes';

/**
 * Appends to the change log in the caller's transaction, so the change and its announcement
 * commit together. On PostgreSQL a NOTIFY (delivered at commit) wakes the other processes at
 * once; every process also polls the log, which is what SQLite relies on.
 */
export async function recordChange(
  db: Executor,
  dialect: DialectName,
  kind: ChangeKind,
  entityId: string,
  now: number,
): Promise<void> {
  await db.insertInto('changes').values({ kind, entity_id: entityId, created_at: now }).execute();
  if (dialect === 'postgres') await sql`select pg_notify(${CHANGE_CHANNEL}, '')`.execute(db);
}

export async function changesAfter(db: Executor, seq: number, limit: number) {
  return db
    .selectFrom('changes')
    .select(['seq', 'kind', 'entity_id'])
    .where('seq', '>', seq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}

export async function lastChangeSeq(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('changes')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** The log only has to outlive the slowest poller; a day is generous. */
export async function pruneChanges(db: Executor, before: number): Promise<void> {
  await db.deleteFrom('changes').where('created_at', '<', before).execute();
}
