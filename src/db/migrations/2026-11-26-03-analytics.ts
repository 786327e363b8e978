import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/**
 * Raw scan events (kept per plan retention) and the rollups every chart reads: hourly totals
 * and daily per-dimension counts, per link and per workspace.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('scan_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('traffic_class', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('rule_index', 'integer')
    .addColumn('variant_index', 'integer')
    .addColumn('device', 'text')
    .addColumn('os', 'text')
    .addColumn('browser', 'text')
    .addColumn('country', 'text')
    .addColumn('city', 'text')
    .addColumn('language', 'text')
    .addColumn('referrer_host', 'text')
    .addColumn('visitor_hash', 'text')
    .execute();
  await db.schema
    .createIndex('scan_events_workspace_time')
    .on('scan_events')
    .columns(['workspace_id', 'time'])
    .execute();
  await db.schema
    .createIndex('scan_events_link_time')
    .on('scan_events')
    .columns(['link_id', 'time'])
    .execute();

  // scope = a link id, or the workspace id for workspace-wide rollups.
  await db.schema
    .createTable('rollup_hourly')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('human', 'bigint', (c) => c.notNull())
    .addColumn('uniques', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_hourly_pk', ['scope', 'hour', 'via'])
    .execute();

  await db.schema
    .createTable('rollup_daily')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('human', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_daily_pk', ['scope', 'day', 'via', 'dimension', 'key'])
    .execute();

  // Which visitors a link already counted today: makes "unique" exact and re-applies a no-op.
  await db.schema
    .createTable('visitor_days')
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('visitor_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('visitor_days_pk', ['link_id', 'day', 'visitor_hash'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ['visitor_days', 'rollup_daily', 'rollup_hourly', 'scan_events']) {
    await db.schema.dropTable(table).execute();
  }
}
