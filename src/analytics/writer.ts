import { Worker } from 'node:worker_threads';
import type { AppContext } from '../context.js';
import type { Database, DatabaseOptions } from '../db/index.js';
import type { WriteFailureCause, WriteHealth } from '../db/write-health.js';
import type { EventQueue, RawScan } from '../redirect/queue.js';
import type { EnrichedScan } from './enrich/index.js';
import { utcDayStart, type DailySaltStore, type SharedSalt } from './enrich/visitor.js';
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

/** What the writer thread is started with: where to write and which GeoIP database to read. */
export interface WriterThreadData {
  database: DatabaseOptions;
  geoipDb: string | null;
}

/**
 * Main thread → writer thread. A batch carries the main thread's clock and live salts, and the
 * workspaces with a live stream open (`audience`): only their stored scans come back.
 */
export type ThreadRequest =
  | {
      type: 'batch';
      id: number;
      raws: RawScan[];
      salts: SharedSalt[];
      now: number;
      audience: string[];
    }
  | { type: 'close' };

/** Writer thread → main thread, one reply per request. */
export type ThreadReply =
  | { type: 'written'; id: number; written: number; duplicates: number; live: EnrichedScan[] }
  | {
      type: 'failed';
      id: number;
      message: string;
      /** Set when the database refuses writes (disk full, read-only, …); null for other errors. */
      cause: WriteFailureCause | null;
      code: string | null;
    }
  | { type: 'closed' };

/**
 * Batches handed to the thread and not answered yet: two keep it busy (one written, one
 * waiting); beyond that the scan queue fills and counts its drops instead (ANA-01).
 */
const MAX_IN_FLIGHT = 2;
/** Doubles from `firstMs` with each failure in a row (1, 2, 3, …), up to `maxMs`. */
const doublingDelayMs = (failuresInARow: number, firstMs: number, maxMs: number): number =>
  Math.min(firstMs * 2 ** Math.max(0, failuresInARow - 1), maxMs);

/**
 * A thread that keeps crashing (e.g. at start-up) is not restarted in a tight loop: the delay
 * doubles with each crash that follows no written batch, from 1 s up to a minute.
 */
export const restartDelayMs = (crashesInARow: number): number =>
  doublingDelayMs(crashesInARow, 1000, 60_000);

/**
 * A batch that failed (database down, disk full, read-only) is retried after 100 ms, doubling
 * with each failure in a row up to 30 s; a written batch resets it. Meanwhile the queue holds
 * the scans (ANA-01), and one batch at a time tries the database.
 */
export const retryDelayMs = (failuresInARow: number): number =>
  doublingDelayMs(failuresInARow, 100, 30_000);

/**
 * Compiled (dist/), the thread runs writer-thread.js. From the TypeScript sources (vitest, tsx)
 * it is writer-thread.ts, which Node loads only once tsx's hooks are registered in that thread
 * (an `--import` in the worker's execArgv is not honoured by Node 20).
 */
function startThread(workerData: WriterThreadData): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./writer-thread.js', import.meta.url), { workerData });
  }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./writer-thread.ts', import.meta.url).href);
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Drains the scan queue in batches (by size or every ~100 ms) and hands them to a worker thread
 * that enriches them and writes raw events, unique visitors, rollups and scan counters in ONE
 * transaction per batch on its own database connection: the redirect's event loop only drains
 * and posts. Stored events of workspaces with a live stream open come back for the live feed
 * (a stream opened while a batch is in the thread misses that batch's scans). Event ids make a
 * re-applied batch a no-op (ANA-03), so a failed batch is retried and a crashed thread's
 * batches are posted again to its replacement; meanwhile the bounded queue fills and counts its
 * drops instead of slowing redirects (ANA-01).
 */
export function startAnalyticsWriter(
  ctx: AppContext,
  queue: EventQueue<RawScan>,
  deps: {
    database: Database;
    geoipDb: string | null;
    salts: DailySaltStore;
    live: LiveFeed;
    writes: Pick<WriteHealth, 'failed'>;
  },
  options: WriterOptions = {},
) {
  const { postgresUrl, sqliteFile } = deps.database.options;
  if (!postgresUrl && sqliteFile === ':memory:') {
    throw new Error('the analytics writer thread cannot share an in-memory SQLite database');
  }
  const batchSize = options.batchSize ?? 5000;
  const stats: WriterStats = { written: 0, duplicates: 0, failedBatches: 0 };
  const data: WriterThreadData = { database: deps.database.options, geoipDb: deps.geoipDb };
  /** Posted to the thread, by batch id, until it answers. */
  const inFlight = new Map<number, RawScan[]>();
  /** Failed or orphaned by a crash: posted again before anything newer. */
  const retry: { id: number; raws: RawScan[] }[] = [];
  const waiters: ((reply: ThreadReply) => void)[] = [];
  let nextId = 1;
  let paused = false;
  /** flush() or stop() calls under way: they write even while paused. */
  let draining = 0;
  let closing = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let crashesInARow = 0;
  let failuresInARow = 0;
  let failingSince = 0;
  /** Date.now() before which failed batches wait (flush and stop do not). */
  let retryAt = 0;
  let thread: Worker | null = start();

  function start(): Worker {
    const worker = startThread(data);
    worker.unref();
    worker.on('message', onReply);
    worker.on('error', (err) => ctx.log.error({ err }, 'analytics writer thread failed'));
    worker.on('exit', (code) => {
      if (closing) return;
      crashesInARow++;
      const delayMs = restartDelayMs(crashesInARow);
      ctx.log.error(
        { code, batches: inFlight.size, restartInMs: delayMs },
        'analytics writer thread exited; restarting',
      );
      // Its batches may or may not be committed: posting them again is safe (ANA-03).
      retry.unshift(...[...inFlight].map(([id, raws]) => ({ id, raws })));
      inFlight.clear();
      thread = null;
      restartTimer = setTimeout(() => {
        thread = start();
        pump();
      }, delayMs);
    });
    return worker;
  }

  /** The salt of every day in the batch exists before sharing, so the thread never makes one. */
  function saltsFor(raws: readonly RawScan[]): SharedSalt[] {
    const days = new Set<number>();
    for (const raw of raws) days.add(utcDayStart(raw.time));
    for (const day of days) deps.salts.saltFor(day);
    return deps.salts.share(ctx.clock.now());
  }

  function pump(): void {
    if (!thread || closing || (paused && draining === 0)) return;
    if (draining === 0 && Date.now() < retryAt) return;
    const limit = failuresInARow > 0 ? 1 : MAX_IN_FLIGHT;
    while (inFlight.size < limit && (retry.length > 0 || queue.size > 0)) {
      const batch = retry.shift() ?? { id: nextId++, raws: queue.drain(batchSize) };
      inFlight.set(batch.id, batch.raws);
      const request: ThreadRequest = {
        type: 'batch',
        id: batch.id,
        raws: batch.raws,
        salts: saltsFor(batch.raws),
        now: ctx.clock.now(),
        // Copying every stored scan back would cost the redirect's loop as much as posting it.
        audience: deps.live.audience(),
      };
      thread.postMessage(request);
      // A pending batch keeps the process alive (a shutdown waits for it); an idle thread not.
      thread.ref();
    }
  }

  function onReply(reply: ThreadReply): void {
    if (reply.type === 'written') {
      crashesInARow = 0;
      if (failuresInARow > 0) {
        ctx.log.info(
          { failedAttempts: failuresInARow, downMs: Date.now() - failingSince },
          'analytics writes recovered',
        );
        failuresInARow = 0;
        retryAt = 0;
      }
      inFlight.delete(reply.id);
      stats.written += reply.written;
      stats.duplicates += reply.duplicates;
      if (reply.live.length > 0) deps.live.publish(reply.live);
    } else if (reply.type === 'failed') {
      const raws = inFlight.get(reply.id) ?? [];
      inFlight.delete(reply.id);
      retry.push({ id: reply.id, raws });
      stats.failedBatches++;
      failuresInARow++;
      const retryInMs = retryDelayMs(failuresInARow);
      retryAt = Date.now() + retryInMs;
      // Logged when writes start failing and when they recover, not on every retry.
      if (failuresInARow === 1) {
        failingSince = Date.now();
        ctx.log.warn(
          {
            cause: reply.cause,
            code: reply.code,
            err: { message: reply.message },
            batch: raws.length,
            retryInMs,
          },
          'analytics writes failing; retrying with backoff',
        );
      }
      if (reply.cause) deps.writes.failed(reply.cause, reply.code, 'analytics', reply.message);
    }
    if (inFlight.size === 0 && !closing) thread?.unref();
    for (const wake of waiters.splice(0)) wake(reply);
    // A failed batch waits for its retry time rather than hammering a database that is down.
    if (reply.type === 'written') pump();
  }

  const nextReply = () => new Promise<ThreadReply>((resolve) => waiters.push(resolve));

  async function flush(): Promise<void> {
    draining++;
    try {
      for (;;) {
        pump();
        if (inFlight.size === 0 && retry.length === 0 && queue.size === 0) return;
        const reply = await nextReply();
        if (reply.type === 'failed') throw new Error(`analytics batch failed: ${reply.message}`);
      }
    } finally {
      draining--;
    }
  }

  const timer = setInterval(pump, options.intervalMs ?? 100);
  timer.unref();

  return {
    stats,
    /** Writes everything queued now; resolves when it is committed. */
    flush,
    /** For tests and maintenance: stop draining (the queue fills and counts drops). */
    pause(): void {
      paused = true;
    },
    resume(): void {
      paused = false;
    },
    /** The writer thread, null while a crashed one waits to be restarted (tests crash it). */
    get thread(): Worker | null {
      return thread;
    },
    /** Graceful shutdown: drain and write everything that is queued (0 lost on SIGTERM). */
    async stop(): Promise<void> {
      clearInterval(timer);
      paused = true;
      try {
        await flush();
      } finally {
        closing = true;
        clearTimeout(restartTimer);
        if (thread) {
          thread.ref();
          const closed = new Promise((resolve) => thread?.once('exit', resolve));
          thread.postMessage({ type: 'close' } satisfies ThreadRequest);
          await closed;
        }
      }
    },
  };
}

export type AnalyticsWriter = ReturnType<typeof startAnalyticsWriter>;
