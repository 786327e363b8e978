import cluster from 'node:cluster';
import { buildApp } from '../app.js';
import { loadConfig, type Config } from '../config/index.js';
import { migrateToLatest, openDatabase, sqliteFileFor } from '../db/index.js';
import { loadServerSecret } from '../secret.js';
import { relayLiveThroughPrimary, saltsFromPrimary, shareFromPrimary } from './cluster-share.js';
import { type CommandSpec, defineCommand, UsageError } from './io.js';

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
  if (workers > 1 && cluster.isPrimary) {
    await prepareShared(config);
    return runPrimary(workers, io.stderr);
  }

  // Listen for signals before starting: one that arrives during start-up (a worker told to stop
  // while it boots) is kept and honoured once the app is up, not lost to a library's handler.
  let stop: ((signal: string) => void) | undefined;
  let pending: string | undefined;
  const onSignal = (signal: string) => (stop ? stop(signal) : (pending ??= signal));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));

  const app = await buildApp(config, cluster.isWorker ? { salts: await saltsFromPrimary() } : {});
  if (cluster.isWorker) relayLiveThroughPrimary(app.analytics.live);
  const url = await app.listen();
  app.ctx.log.info({ url, dialect: app.database.dialect, pid: process.pid }, 'qrlink is listening');
  if (cluster.isPrimary) io.stdout.write(`qrlink listening on ${url} (${app.database.dialect})\n`);
  await new Promise<void>((resolve) => {
    stop = (signal: string) => {
      app.ctx.log.info({ signal }, 'shutting down');
      app.close().then(resolve, (err: unknown) => {
        app.ctx.log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    if (pending) stop(pending);
  });
  // A worker's IPC channel to the primary would keep it alive after everything else closed.
  if (cluster.isWorker) process.disconnect?.();
  return 0;
});

/**
 * What the workers share is settled once, before they start: migrations (SQLite has no
 * migration lock between processes) and the generated server secret (signed cookies must
 * verify on every worker).
 */
async function prepareShared(config: Config): Promise<void> {
  loadServerSecret(config.secret, config.db.dataDir);
  const database = openDatabase({
    postgresUrl: config.db.postgresUrl,
    sqliteFile: sqliteFileFor(config.db.dataDir),
  });
  try {
    await migrateToLatest(database);
  } finally {
    await database.close();
  }
}

/**
 * Forks the workers, shares salts and live scans between them, and relays shutdown; a worker
 * that dies unexpectedly is replaced.
 */
async function runPrimary(workers: number, stderr: NodeJS.WritableStream): Promise<number> {
  let stopping = false;
  const sharing = shareFromPrimary();
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    stderr.write(`qrlink: worker ${worker.process.pid} exited (${signal ?? code}); restarting\n`);
    cluster.fork();
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      sharing.stop();
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      const waitAll = () =>
        Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(waitAll, 50);
      waitAll();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
