import cluster from 'node:cluster';
import { BlockList, isIP } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import {
  buildApp,
  createLogger,
  migrateDatabase,
  openConfiguredDatabase,
  type App,
} from '../app.js';
import { loadConfig, type Config } from '../config/index.js';
import { loadServerSecret } from '../secret.js';
import { relayLiveThroughPrimary, saltsFromPrimary, shareFromPrimary } from './cluster-share.js';
import { CommandError, type CommandSpec, defineCommand, UsageError } from './io.js';

export const spec = {
  name: 'serve',
  about: `Runs the API, the redirect engine, the analytics writer and the scheduled jobs in one
process, on SQLite under ./data unless QRLINK_DATABASE_URL points at PostgreSQL.`,
  options: {
    port: { type: 'string', value: 'N', help: ['TCP port to listen on (overrides PORT)'] },
    workers: {
      type: 'string',
      value: 'N',
      help: ['start N processes (1 to 64) sharing the port'],
    },
  },
} as const satisfies CommandSpec;

export const commands = [spec];

export const run = defineCommand(spec, async ({ values }, io) => {
  const env = { ...io.env, ...(values.port !== undefined ? { PORT: values.port } : {}) };
  const config = loadConfig(env);
  const workers = values.workers === undefined ? 1 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new UsageError('--workers must be a whole number from 1 to 64');
  }
  const log = createLogger(config.logLevel);
  if (workers > 1 && cluster.isPrimary) {
    await prepareShared(config);
    announceBaseUrl(log, config);
    return runPrimary(workers, log);
  }

  // Listen for signals before starting: one that arrives during start-up (a worker told to stop
  // while it boots) is kept and honoured once the app is up, not lost to a library's handler.
  let stop: ((signal: string) => void) | undefined;
  let pending: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => (stop ? stop(signal) : (pending ??= signal));
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  let app: App | undefined;
  let url: string;
  try {
    app = await buildApp(config, {
      logger: log,
      ...(cluster.isWorker ? { salts: await saltsFromPrimary() } : {}),
    });
    if (cluster.isWorker) relayLiveThroughPrimary(app.analytics.live);
    url = await app.listen().catch((err: unknown) => {
      throw listenFailure(err, config);
    });
  } catch (err) {
    // Whatever started (writer thread, jobs, connections) stops, so the process can end now.
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await app?.close();
    disconnectFromPrimary();
    throw err;
  }
  const started = app;
  log.info({ url, dialect: started.database.dialect }, 'qrlink is listening');
  if (cluster.isPrimary) announceBaseUrl(log, config);
  await new Promise<void>((resolve) => {
    stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      started.close().then(resolve, (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    if (pending) stop(pending);
  });
  log.info('server stopped');
  disconnectFromPrimary();
  return 0;
});

/**
 * A worker's IPC channel to the primary would keep it alive after everything else closed.
 * Through the worker object: a bare process.disconnect() makes cluster exit the worker with 0
 * at once, before a failed start has said why and set its exit code.
 */
function disconnectFromPrimary(): void {
  if (cluster.worker?.isConnected()) cluster.worker.disconnect();
}

/** A failed listen, in the operator's terms: which port or address, and which setting. */
function listenFailure(err: unknown, config: Config): unknown {
  const { port, host } = config.http;
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return new CommandError(`port ${port} is already in use (set PORT or --port)`);
    case 'EACCES':
      return new CommandError(
        `port ${port} needs privileges this user lacks (set PORT or --port to 1024 or above)`,
      );
    case 'EADDRNOTAVAIL':
      return new CommandError(`${host} is not an address of this machine (set QRLINK_HOST)`);
    default:
      return err;
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** localhost, *.localhost, 127.0.0.0/8 and ::1: names only this machine reaches. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Says once which origin short links and QR codes carry. A loopback name served on every
 * interface is worth a warning: the code works on this machine and fails on a phone.
 */
function announceBaseUrl(log: FastifyBaseLogger, config: Config): void {
  const { baseUrl, host } = config.http;
  log.info({ baseUrl: baseUrl.origin }, 'short links and QR codes carry this base URL');
  if (isLoopback(baseUrl.hostname) && (host === '0.0.0.0' || host === '::')) {
    log.warn(
      { baseUrl: baseUrl.origin, host },
      'QR codes carry a loopback address that other devices (a phone scanning a code) cannot ' +
        "open: set QRLINK_BASE_URL to an address they reach, such as this machine's on the " +
        'local network (http://192.168.1.20:8080) or a public name',
    );
  }
}

/**
 * What the workers share is settled once, before they start: migrations (SQLite has no
 * migration lock between processes) and the generated server secret (signed cookies must
 * verify on every worker).
 */
async function prepareShared(config: Config): Promise<void> {
  loadServerSecret(config.secret, config.db.dataDir);
  const database = openConfiguredDatabase(config);
  try {
    await migrateDatabase(config, database);
  } finally {
    await database.close();
  }
}

/**
 * Forks the workers, shares salts and live scans between them, and relays shutdown; a worker
 * that dies after it started is replaced. One that dies before it listened (port in use,
 * database gone) stops them all: its replacement would fail the same way, forever.
 */
async function runPrimary(workers: number, log: FastifyBaseLogger): Promise<number> {
  let stopping = false;
  let failed = false;
  const listened = new Set<number>();
  const sharing = shareFromPrimary();
  let allStopped = () => {};
  const stopped = new Promise<void>((resolve) => (allStopped = resolve));
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sharing.stop();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const waitAll = () =>
      Object.keys(cluster.workers ?? {}).length === 0 ? allStopped() : setTimeout(waitAll, 50);
    waitAll();
  };
  cluster.on('listening', (worker) => listened.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const exit = { workerPid: worker.process.pid, code, signal };
    if (!listened.has(worker.id)) {
      log.error(exit, 'a worker failed to start; stopping');
      failed = true;
      stop();
      return;
    }
    log.warn(exit, 'worker exited; restarting');
    cluster.fork();
  });
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutting down');
    stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  for (let i = 0; i < workers; i++) cluster.fork();
  await stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  log.info('server stopped');
  return failed ? 1 : 0;
}
