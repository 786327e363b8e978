import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/** Workspace-wide "do not track": links still redirect, nothing is recorded (PRV-09). */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('workspaces')
    .addColumn('track', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('track').execute();
}
