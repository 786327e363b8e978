import cluster, { type Worker } from 'node:cluster';
import { DailySaltStore, type SharedSalt } from '../analytics/enrich/visitor.js';
import type { EnrichedScan } from '../analytics/enrich/index.js';
import type { LiveFeed } from '../analytics/live.js';

/**
 * What the workers of one `qrlink serve --workers N` share through the primary, over the
 * cluster's IPC channel (never on disk): the daily visitor salts, so split buckets stay sticky
 * and unique visitors count once whichever worker a connection lands on; and live-view scans,
 * so a stream sees the scans every worker handled.
 */
const SALTS_REQUEST = 'qrlink:salts-request';
const SALTS = 'qrlink:salts';
const LIVE_INTEREST = 'qrlink:live-interest';
const LIVE_WANTED = 'qrlink:live-wanted';
const LIVE_EVENTS = 'qrlink:live-events';
/** How often the primary hands its salts out again (each hand-out holds tomorrow's too). */
const SALTS_PUSH_MS = 10 * 60_000;

type Message = { type: string; salts?: unknown; workspaces?: unknown; events?: unknown };

const messageOf = (message: unknown): Message | null =>
  typeof message === 'object' &&
  message !== null &&
  typeof (message as { type?: unknown }).type === 'string'
    ? (message as Message)
    : null;

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** A worker that is exiting has no channel left; the callback takes that error. */
function sendTo(worker: Worker, message: object): void {
  if (worker.isConnected()) worker.send(message, () => undefined);
}

/** In the primary: serves salts and routes live scans between the workers. */
export function shareFromPrimary(): { stop(): void } {
  const salts = new DailySaltStore();
  const interest = new Map<number, Set<string>>();
  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
  const shareSalts = (worker: Worker) =>
    sendTo(worker, { type: SALTS, salts: salts.share(Date.now()) });
  const announceWanted = () => {
    for (const worker of workers()) {
      const wanted = new Set<string>();
      for (const [id, ids] of interest) if (id !== worker.id) for (const ws of ids) wanted.add(ws);
      sendTo(worker, { type: LIVE_WANTED, workspaces: [...wanted] });
    }
  };
  const onMessage = (from: Worker, raw: unknown) => {
    const message = messageOf(raw);
    if (!message) return;
    if (message.type === SALTS_REQUEST) shareSalts(from);
    if (message.type === LIVE_INTEREST) {
      interest.set(from.id, new Set(strings(message.workspaces)));
      announceWanted();
    }
    if (message.type === LIVE_EVENTS && Array.isArray(message.events)) {
      const events = message.events as EnrichedScan[];
      for (const worker of workers()) {
        const ids = interest.get(worker.id);
        if (worker.id === from.id || !ids) continue;
        const wanted = events.filter((e) => ids.has(e.workspaceId));
        if (wanted.length > 0) sendTo(worker, { type: LIVE_EVENTS, events: wanted });
      }
    }
  };
  const onExit = (worker: Worker) => {
    if (interest.delete(worker.id)) announceWanted();
  };
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  const push = setInterval(() => workers().forEach(shareSalts), SALTS_PUSH_MS);
  return {
    stop() {
      clearInterval(push);
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
    },
  };
}

/** In a worker, before the app starts: the primary's salts (kept current by its pushes). */
export function saltsFromPrimary(): Promise<DailySaltStore> {
  const salts = new DailySaltStore();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the primary process sent no daily salts within 10 s')),
      10_000,
    );
    process.on('message', (raw: unknown) => {
      const message = messageOf(raw);
      if (message?.type !== SALTS || !Array.isArray(message.salts)) return;
      salts.adopt(message.salts as SharedSalt[]);
      clearTimeout(timer);
      resolve(salts);
    });
    process.send?.({ type: SALTS_REQUEST });
  });
}

/** In a worker: joins its live feed to the other workers' through the primary. */
export function relayLiveThroughPrimary(live: LiveFeed): void {
  process.on('message', (raw: unknown) => {
    const message = messageOf(raw);
    if (message?.type === LIVE_WANTED) live.setWantedElsewhere(strings(message.workspaces));
    if (message?.type === LIVE_EVENTS && Array.isArray(message.events)) {
      live.deliver(message.events as EnrichedScan[]);
    }
  });
  const send = (message: object) => {
    if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
  };
  live.relayTo({
    send: (events) => send({ type: LIVE_EVENTS, events }),
    announce: (workspaces) => send({ type: LIVE_INTEREST, workspaces }),
  });
}
