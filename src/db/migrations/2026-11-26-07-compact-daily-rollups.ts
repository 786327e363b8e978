import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

const DAY_MS = sql.lit(86_400_000);

/**
 * The key each breakdown dimension has when an event carries nothing for it (no referrer, no
 * country, no rule…, and class 'human'), as the writer knew them when this migration was made.
 */
const WITH_DEFAULT_KEYS = sql`with default_keys (dimension, key) as (values ('country', ''),
  ('device', ''), ('os', ''), ('browser', ''), ('referrer', ''), ('language', ''), ('variant', ''),
  ('class', 'human'))`;

/**
 * Fewer daily breakdown rows, the bulk of every ingest batch's writes (about 4 per event).
 * - `via` leaves the key: one row per (scope, day, dimension, key) holds the total and human
 *   counts and the part of each that came through a QR code (`qr_total`, `qr_human`), where
 *   there were two rows, one per `via`.
 * - Each dimension's default key is no longer stored: the chart derives it as the day's total
 *   from rollup_hourly minus the other keys (see analytics/queries.ts). It is the key most
 *   events of a sparse link carry (QR scans have no referrer, most links no rule).
 */
export function compactDailyRollupsMigration(dialect: DialectName) {
  const options = dialect === 'postgres' ? 'with (fillfactor = 80)' : 'without rowid';
  return {
    async up(db: AnyDb): Promise<void> {
      await createTable(
        db,
        dialect,
        `scope text not null, day bigint not null, dimension text not null, key text not null,
         workspace_id text not null, total bigint not null, human bigint not null,
         qr_total bigint not null, qr_human bigint not null`,
        'scope, day, dimension, key',
        options,
      );
      await sql`
        insert into rollup_daily_next ${WITH_DEFAULT_KEYS}
        select r.scope, r.day, r.dimension, r.key, r.workspace_id, sum(r.total), sum(r.human),
          sum(case when r.via = 'qr' then r.total else 0 end),
          sum(case when r.via = 'qr' then r.human else 0 end)
        from rollup_daily r
        where not exists (
          select 1 from default_keys d where d.dimension = r.dimension and d.key = r.key)
        group by r.scope, r.day, r.dimension, r.key, r.workspace_id`.execute(db);
      await swap(db, dialect);
    },
    async down(db: AnyDb): Promise<void> {
      await createTable(
        db,
        dialect,
        `scope text not null, day bigint not null, via text not null, dimension text not null,
         key text not null, workspace_id text not null, total bigint not null,
         human bigint not null`,
        'scope, day, via, dimension, key',
        options,
      );
      await sql`
        insert into rollup_daily_next
        select scope, day, 'qr', dimension, key, workspace_id, qr_total, qr_human
        from rollup_daily where qr_total > 0
        union all
        select scope, day, 'link', dimension, key, workspace_id, total - qr_total,
          human - qr_human
        from rollup_daily where total > qr_total`.execute(db);
      // Each default key gets back what the day's hourly totals hold beyond the other keys.
      await sql`
        insert into rollup_daily_next ${WITH_DEFAULT_KEYS}
        select h.scope, h.day, h.via, d.dimension, d.key, h.workspace_id,
          h.total - coalesce(s.total, 0), h.human - coalesce(s.human, 0)
        from (
          select scope, hour / ${DAY_MS} * ${DAY_MS} as day, via, workspace_id,
            sum(total) as total, sum(human) as human
          from rollup_hourly group by scope, hour / ${DAY_MS}, via, workspace_id
        ) h
        cross join default_keys d
        left join (
          select scope, day, via, dimension, sum(total) as total, sum(human) as human
          from rollup_daily_next group by scope, day, via, dimension
        ) s on s.scope = h.scope and s.day = h.day and s.via = h.via and s.dimension = d.dimension
        where h.total > coalesce(s.total, 0)`.execute(db);
      await swap(db, dialect);
    },
  };
}

async function createTable(
  db: AnyDb,
  dialect: DialectName,
  columns: string,
  key: string,
  options: string,
): Promise<void> {
  // PostgreSQL names the key's index after the constraint, unique per schema: renamed in swap.
  const constraint = dialect === 'postgres' ? 'rollup_daily_next_pk' : 'rollup_daily_pk';
  await sql
    .raw(
      `create table rollup_daily_next (${columns},
        constraint ${constraint} primary key (${key})) ${options}`,
    )
    .execute(db);
}

async function swap(db: AnyDb, dialect: DialectName): Promise<void> {
  await sql`drop table rollup_daily`.execute(db);
  await sql`alter table rollup_daily_next rename to rollup_daily`.execute(db);
  if (dialect === 'postgres') {
    await sql`alter table rollup_daily rename constraint rollup_daily_next_pk to rollup_daily_pk`.execute(
      db,
    );
  }
}
