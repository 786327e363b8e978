import type { AppContext } from '../context.js';
import { DAY_MS } from './rollups.js';

/**
 * Days of raw events each workspace keeps under its plan in force; rollups are kept (PRV-06).
 * null = keep. Workspaces missing from the map keep everything.
 */
export type RetentionByWorkspace = () => Promise<ReadonlyMap<string, number | null>>;

const BATCH = 5000;

/**
 * Deletes raw events older than each workspace's retention, in bulk batches so a large
 * backlog never holds a long lock; also forgets visitor-day markers older than two days.
 */
export async function pruneAnalytics(
  ctx: AppContext,
  retention: RetentionByWorkspace,
): Promise<{ deleted: number }> {
  const now = ctx.clock.now();
  let deleted = 0;
  for (const [workspaceId, days] of await retention()) {
    if (days === null) continue;
    const cutoff = now - days * DAY_MS;
    for (;;) {
      const batch = await ctx.db
        .selectFrom('scan_events')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('time', '<', cutoff)
        .limit(BATCH)
        .execute();
      if (batch.length === 0) break;
      const result = await ctx.db
        .deleteFrom('scan_events')
        .where(
          'id',
          'in',
          batch.map((r) => r.id),
        )
        .executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      if (batch.length < BATCH) break;
    }
  }
  await ctx.db
    .deleteFrom('visitor_days')
    .where('day', '<', now - 2 * DAY_MS)
    .execute();
  return { deleted };
}
