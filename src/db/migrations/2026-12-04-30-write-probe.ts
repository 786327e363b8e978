import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/** One row that readiness rewrites: a write that succeeds only if the database takes writes. */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('write_probe')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('written_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('write_probe').execute();
}
