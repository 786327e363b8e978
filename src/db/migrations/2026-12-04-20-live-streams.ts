import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/**
 * The open live streams of every process, so the caps per credential and per workspace hold
 * across processes. A row expires unless its process renews it (a crashed process releases
 * nothing).
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('live_streams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('credential', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('live_streams_workspace')
    .on('live_streams')
    .column('workspace_id')
    .execute();
  await db.schema
    .createIndex('live_streams_expires_at')
    .on('live_streams')
    .column('expires_at')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('live_streams').execute();
}
