import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/**
 * Failed-login counters (ACC-03) in the database, shared by every process: keyed hashes of
 * the account or IP, never the address itself.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addColumn('previous_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('login_failures_last_at')
    .on('login_failures')
    .column('last_at')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
}
