import type { AppContext } from '../context.js';
import type { EventQueue, RawScan } from '../redirect/queue.js';
import { enrichEvent, type EnrichedScan, type GeoLookup } from './enrich/index.js';
import type { SyncSaltSource } from './enrich/visitor.js';
import type { LiveFeed } from './live.js';
import { aggregate } from './rollups.js';
import type { AnalyticsStore } from './store.js';

/**
 * One transaction: raw events, unique visitors, rollups (per link, workspace and tag) and human
 * scan counters. Only events not stored before count, so writing the same batch twice changes
 * nothing (ANA-03).
 */
export async function writeBatch(
  store: AnalyticsStore,
  events: readonly EnrichedScan[],
): Promise<EnrichedScan[]> {
  return store.database.db.transaction().execute(async (tx) => {
    const fresh = await store.insertEvents(tx, events);
    const newVisitors = await store.recordVisitors(tx, fresh);
    const tags = await store.linkTags(tx, [...new Set(fresh.map((e) => e.linkId))]);
    const { hourly, daily, humanScans } = aggregate(fresh, newVisitors, tags);
    await store.addHourly(tx, hourly);
    await store.addDaily(tx, daily);
    await store.addHumanScans(tx, humanScans);
    return fresh;
  });
}

export interface WriterOptions {
  batchSize?: number;
  intervalMs?: number;
}

export interface WriterStats {
  written: number;
  duplicates: number;
  failedBatches: number;
}

/**
 * Drains the scan queue in batches (by size or every ~100 ms), enriches off the hot path and
 * writes raw events, unique visitors, rollups and scan counters in ONE transaction per batch.
 * Event ids make a re-applied batch a no-op (ANA-03). A batch that fails is kept and retried;
 * meanwhile the bounded queue fills and counts its drops instead of slowing redirects (ANA-01).
 */
export function startAnalyticsWriter(
  ctx: AppContext,
  queue: EventQueue<RawScan>,
  deps: { store: AnalyticsStore; geo: GeoLookup; salts: SyncSaltSource; live: LiveFeed },
  options: WriterOptions = {},
) {
  const batchSize = options.batchSize ?? 5000;
  const stats: WriterStats = { written: 0, duplicates: 0, failedBatches: 0 };
  let pending: EnrichedScan[] | null = null;
  let running: Promise<void> | undefined;
  let paused = false;

  async function write(events: EnrichedScan[]): Promise<void> {
    const stored = await writeBatch(deps.store, events);
    stats.written += stored.length;
    stats.duplicates += events.length - stored.length;
    deps.live.publish(stored);
  }

  async function flush(): Promise<void> {
    for (;;) {
      if (!pending) {
        if (queue.size === 0) return;
        pending = queue.drain(batchSize).map((raw) => enrichEvent(raw, deps));
      }
      await write(pending);
      pending = null;
    }
  }

  function tick(): void {
    if (paused || running) return;
    running = flush()
      .catch((err: unknown) => {
        stats.failedBatches++;
        ctx.log.warn({ err, batch: pending?.length ?? 0 }, 'analytics batch failed; will retry');
      })
      .finally(() => {
        running = undefined;
      });
  }

  const timer = setInterval(tick, options.intervalMs ?? 100);
  timer.unref();

  return {
    stats,
    /** Writes everything queued now; resolves when it is committed. */
    async flush(): Promise<void> {
      await running;
      await flush();
    },
    /** For tests and maintenance: stop draining (the queue fills and counts drops). */
    pause(): void {
      paused = true;
    },
    resume(): void {
      paused = false;
    },
    /** Graceful shutdown: drain and write everything that is queued (0 lost on SIGTERM). */
    async stop(): Promise<void> {
      clearInterval(timer);
      paused = true;
      await running;
      await flush();
    },
  };
}

export type AnalyticsWriter = ReturnType<typeof startAnalyticsWriter>;
