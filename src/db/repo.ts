import type { Executor } from './index.js';

/** The readiness write probe: one row, rewritten in place, so it never grows the database. */
export async function recordWriteProbe(db: Executor, now: number): Promise<void> {
  await db
    .insertInto('write_probe')
    .values({ id: 'probe', written_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ written_at: now }))
    .execute();
}
