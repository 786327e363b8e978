import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/**
 * Password attempts on protected links (RED-15), counted in the database so that every process
 * of a deployment shares one allowance: keyed hashes of link and client, never the address.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('link_password_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('link_password_attempts_window_start')
    .on('link_password_attempts')
    .column('window_start')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('link_password_attempts').execute();
}
