import { sql, type Transaction } from 'kysely';
import type { DB, DialectName } from '../db/index.js';

/**
 * The rollup scope of a tag. A tag's charts read these rows: summing the rows of a hundred busy
 * links over a month means hundreds of thousands of rows, a tag's own rows a few thousand.
 */
export function tagScope(workspaceId: string, tag: string): string {
  return `${workspaceId}/tag/${tag}`;
}

/**
 * Keeps every tag's rollups equal to the sum of the rollups of the links that carry the tag now,
 * over their whole history: called in the transaction that changes a link's tags, it adds the
 * link's rows to each tag it gains and subtracts them from each tag it loses. The writer reads
 * tags with the same row lock (store linkTags), so a batch is counted under the old tags and
 * moved, or under the new ones, never both.
 */
export async function retagLinkRollups(
  tx: Transaction<DB>,
  dialect: DialectName,
  workspaceId: string,
  linkId: string,
  nextTags: readonly string[],
): Promise<void> {
  const lock = dialect === 'postgres' ? sql` for update` : sql``;
  const { rows } = await sql<{ tags: string }>`
    select tags from links where id = ${linkId} and workspace_id = ${workspaceId}${lock}`.execute(
    tx,
  );
  const before = rows[0] ? (JSON.parse(rows[0].tags) as string[]) : [];
  for (const tag of nextTags) {
    if (!before.includes(tag)) await moveRollups(tx, workspaceId, linkId, tag, 1);
  }
  for (const tag of before) {
    if (!nextTags.includes(tag)) await moveRollups(tx, workspaceId, linkId, tag, -1);
  }
}

async function moveRollups(
  tx: Transaction<DB>,
  workspaceId: string,
  linkId: string,
  tag: string,
  sign: 1 | -1,
): Promise<void> {
  const scope = tagScope(workspaceId, tag);
  await sql`
    insert into rollup_hourly as r (scope, hour, via, workspace_id, total, human, uniques)
    select cast(${scope} as text), hour, via, workspace_id, ${sign} * total, ${sign} * human,
      ${sign} * uniques
    from rollup_hourly where scope = ${linkId} and workspace_id = ${workspaceId}
    on conflict (scope, hour, via) do update set
      total = r.total + excluded.total,
      human = r.human + excluded.human,
      uniques = r.uniques + excluded.uniques`.execute(tx);
  await sql`
    insert into rollup_daily as r (scope, day, dimension, key, workspace_id, total, human,
      qr_total, qr_human)
    select cast(${scope} as text), day, dimension, key, workspace_id, ${sign} * total,
      ${sign} * human, ${sign} * qr_total, ${sign} * qr_human
    from rollup_daily where scope = ${linkId} and workspace_id = ${workspaceId}
    on conflict (scope, day, dimension, key) do update set
      total = r.total + excluded.total,
      human = r.human + excluded.human,
      qr_total = r.qr_total + excluded.qr_total,
      qr_human = r.qr_human + excluded.qr_human`.execute(tx);
  if (sign < 0) {
    // Rows only the departed link filled are empty now.
    await sql`
      delete from rollup_hourly
      where scope = ${scope} and workspace_id = ${workspaceId} and total = 0`.execute(tx);
    await sql`
      delete from rollup_daily
      where scope = ${scope} and workspace_id = ${workspaceId} and total = 0`.execute(tx);
  }
}
