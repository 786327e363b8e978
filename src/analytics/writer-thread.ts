import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/index.js';
import { driverErrorCode, writeFailureCause } from '../db/write-health.js';
import { enrichEvent, openGeoDatabase } from './enrich/index.js';
import { DailySaltStore } from './enrich/visitor.js';
import { analyticsStore } from './store.js';
import {
  writeBatch,
  type ThreadReply,
  type ThreadRequest,
  type WriterThreadData,
} from './writer.js';

/**
 * The analytics writer thread (started by startAnalyticsWriter): enriches the batches the main
 * thread posts and writes each in one transaction on its own connection, so neither GeoIP and
 * user-agent parsing nor a synchronous SQLite transaction ever holds up the redirect's event loop.
 * Batches are handled one at a time, in the order they arrive.
 */
const port = parentPort;
if (!port) throw new Error('writer-thread.js runs as a worker thread only');
const options = workerData as WriterThreadData;

const database = openDatabase(options.database);
const store = analyticsStore(database);
const geoOpening = openGeoDatabase(options.geoipDb);
// The main thread's clock and salts: every batch brings both, nothing is created here that the
// redirect (A/B buckets) or the other processes of `serve --workers N` would not share.
let now = 0;
const salts = new DailySaltStore({ now: () => now });

async function handle(request: ThreadRequest): Promise<ThreadReply> {
  if (request.type === 'close') {
    await database.close();
    (await geoOpening).close?.();
    return { type: 'closed' };
  }
  now = request.now;
  salts.adopt(request.salts);
  try {
    const geo = await geoOpening;
    const events = request.raws.map((raw) => enrichEvent(raw, { geo, salts }));
    const stored = await writeBatch(store, events);
    const audience = new Set(request.audience);
    return {
      type: 'written',
      id: request.id,
      written: stored.length,
      duplicates: events.length - stored.length,
      live: stored.filter((event) => audience.has(event.workspaceId)),
    };
  } catch (error) {
    // Driver errors carry fields a structured clone drops: what the main thread needs is sent.
    const message = error instanceof Error ? error.message : String(error);
    return {
      type: 'failed',
      id: request.id,
      message,
      cause: writeFailureCause(error),
      code: driverErrorCode(error),
    };
  }
}

let previous: Promise<unknown> = Promise.resolve();
port.on('message', (request: ThreadRequest) => {
  previous = previous.then(async () => {
    const reply = await handle(request);
    port.postMessage(reply);
    if (reply.type === 'closed') port.close();
  });
});
