import type { AppContext } from '../context.js';
import { addScans } from '../links/repo.js';
import type { EventQueue, RawScan } from '../redirect/queue.js';

/** Drains the scan queue every ~100 ms and adds each link's scans to its stored counter. */
export function startScanCounter(ctx: AppContext, queue: EventQueue<RawScan>) {
  let running: Promise<void> | undefined;
  const flush = async () => {
    while (queue.size > 0) {
      const counts = new Map<string, number>();
      for (const scan of queue.drain(5000)) {
        if (scan.method === 'HEAD' || scan.human === false) continue;
        counts.set(scan.linkId, (counts.get(scan.linkId) ?? 0) + 1);
      }
      await ctx.db.transaction().execute((tx) => addScans(tx, counts));
    }
  };
  const tick = () => {
    running ??= flush()
      .catch((err: unknown) => ctx.log.warn({ err }, 'scan counter flush failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, 100);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await flush();
    },
  };
}
