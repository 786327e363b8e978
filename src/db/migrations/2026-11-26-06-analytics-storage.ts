import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/** Rollup and visitor tables: every ingest batch upserts thousands of their rows. */
const TABLES = {
  rollup_hourly: {
    columns: `scope text not null, hour bigint not null, via text not null,
      workspace_id text not null, total bigint not null, human bigint not null,
      uniques bigint not null`,
    key: 'scope, hour, via',
  },
  rollup_daily: {
    columns: `scope text not null, day bigint not null, via text not null,
      dimension text not null, key text not null, workspace_id text not null,
      total bigint not null, human bigint not null`,
    key: 'scope, day, via, dimension, key',
  },
  visitor_days: {
    columns: 'link_id text not null, day bigint not null, visitor_hash text not null',
    key: 'link_id, day, visitor_hash',
  },
} as const;

/**
 * Cheaper analytics ingest and tag charts.
 * - SQLite: the rollup and visitor tables become WITHOUT ROWID, so a row lives in its
 *   primary-key B-tree alone instead of a rowid table plus a key index (one tree to search and
 *   write per upsert, not two), and reads by key need no second lookup.
 * - PostgreSQL: free space on rollup pages (fillfactor 80) so counter updates stay HOT and do
 *   not add an index entry each time.
 * - Both: tags get rollups of their own, scope '<workspace id>/tag/<tag>', filled here from
 *   the rollups of the links that carry each tag (the writer and tag changes keep them).
 */
export function analyticsStorageMigration(dialect: DialectName) {
  const tagsOf =
    dialect === 'postgres'
      ? sql`cross join lateral json_array_elements_text(l.tags::json) as t(value)`
      : sql`cross join json_each(l.tags) as t`;
  return {
    async up(db: AnyDb): Promise<void> {
      if (dialect === 'postgres') {
        await sql`alter table rollup_hourly set (fillfactor = 80)`.execute(db);
        await sql`alter table rollup_daily set (fillfactor = 80)`.execute(db);
      } else {
        for (const [table, { columns, key }] of Object.entries(TABLES)) {
          await rebuild(db, table, columns, key, 'without rowid');
        }
      }
      await sql`
        insert into rollup_hourly (scope, hour, via, workspace_id, total, human, uniques)
        select l.workspace_id || '/tag/' || t.value, r.hour, r.via, r.workspace_id,
          sum(r.total), sum(r.human), sum(r.uniques)
        from links l ${tagsOf} join rollup_hourly r on r.scope = l.id
        group by 1, 2, 3, 4`.execute(db);
      await sql`
        insert into rollup_daily (scope, day, via, dimension, key, workspace_id, total, human)
        select l.workspace_id || '/tag/' || t.value, r.day, r.via, r.dimension, r.key,
          r.workspace_id, sum(r.total), sum(r.human)
        from links l ${tagsOf} join rollup_daily r on r.scope = l.id
        group by 1, 2, 3, 4, 5, 6`.execute(db);
    },
    async down(db: AnyDb): Promise<void> {
      for (const table of ['rollup_hourly', 'rollup_daily']) {
        await sql.raw(`delete from ${table} where scope like '%/tag/%'`).execute(db);
      }
      if (dialect === 'postgres') {
        await sql`alter table rollup_hourly reset (fillfactor)`.execute(db);
        await sql`alter table rollup_daily reset (fillfactor)`.execute(db);
        return;
      }
      for (const [table, { columns, key }] of Object.entries(TABLES)) {
        await rebuild(db, table, columns, key, '');
      }
    },
  };
}

/** SQLite cannot change a table's storage in place: copy into a new table and swap names. */
async function rebuild(
  db: AnyDb,
  table: string,
  columns: string,
  key: string,
  options: string,
): Promise<void> {
  const next = `${table}_next`;
  await sql
    .raw(
      `create table ${next} (${columns}, constraint ${table}_pk primary key (${key})) ${options}`,
    )
    .execute(db);
  await sql.raw(`insert into ${next} select * from ${table}`).execute(db);
  await sql.raw(`drop table ${table}`).execute(db);
  await sql.raw(`alter table ${next} rename to ${table}`).execute(db);
}
