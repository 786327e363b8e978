import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/analytics/writer.js';
import { caller, signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { createLink, hit, locations, sleep, until, type CreatedLink } from '../helpers/redirect.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import {
  mountNamespaceMissing,
  postgresAdminFor,
  postgresMissing,
  type PostgresAdmin,
} from '../helpers/services.js';

/**
 * A database that cannot take writes (issue 9 §1.7): readiness says so, requests that write
 * answer 503 instead of a generic 500, the cause is logged once per change of state, the
 * analytics writer backs off, and everything recovers by itself with every scan kept.
 */

const pgMissing = await postgresMissing();
const tmpfsMissing = mountNamespaceMissing();

/** How the server under test is reached, and how its database is made unwritable and mended. */
interface Outage {
  url: () => string;
  logs: () => string[];
  begin(): Promise<void>;
  end(): Promise<void>;
  /** What the log and readiness must name, e.g. disk_full and SQLITE_FULL. */
  cause: string;
  code: string;
}

const SCANS_BEFORE = 10;
const SCANS_DURING = 232;
/** Long enough for an unbounded writer to retry ~80 times (every 100 ms), a backing-off one 7. */
const OUTAGE_MS = 8000;

/** How many tries a writer backing off as retryDelayMs says makes in `ms` from its first. */
function attemptsWithin(ms: number): number {
  let attempts = 1;
  for (let at = retryDelayMs(1); at <= ms; at += retryDelayMs(attempts)) attempts++;
  return attempts;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

interface LogLine {
  msg?: string;
  level?: number;
  cause?: string;
  code?: string;
}

function parsed(lines: readonly string[]): LogLine[] {
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

async function unwritableScenario(outage: Outage, user: TestUser) {
  const url = outage.url;
  const link: CreatedLink = await createLink(user, { url: 'https://example.com/outage' });
  const scan = async () => {
    const res = await hit(url(), `/${link.code}`);
    expect(locations(res)).toEqual(['https://example.com/outage']);
  };
  for (let i = 0; i < SCANS_BEFORE; i++) await scan();
  const storedBefore = await until(
    () => metric(url(), 'qrlink_scan_events_written_total'),
    (n) => n >= SCANS_BEFORE,
    30_000,
  );
  expect(storedBefore.ok).toBe(true);
  expect((await caller(url()).request('GET', '/readyz')).status).toBe(200);
  expect(await metric(url(), 'qrlink_db_writable')).toBe(1);
  const logsBefore = outage.logs().length;

  await outage.begin();
  const started = Date.now();
  let mended = false;
  try {
    // Readiness notices within a few seconds, and names the cause without internals (a
    // PostgreSQL session cut to pick up the setting may first answer "unavailable").
    const notReady = await until(
      () => caller(url()).request('GET', '/readyz'),
      (res) => res.status === 503 && res.body.status === 'database not writable',
      15_000,
    );
    expect(notReady.ok, JSON.stringify(notReady.value.body)).toBe(true);
    expect(notReady.value.body).toEqual({ status: 'database not writable', cause: outage.cause });
    expect(await metric(url(), 'qrlink_db_writable')).toBe(0);

    // A login writes a session: a 503 problem with Retry-After, not a generic 500.
    const login = await caller(url()).request('POST', '/api/v1/auth/login', {
      email: user.email,
      password: user.password,
    });
    expect(login.status, JSON.stringify(login.body)).toBe(503);
    expect(login.headers.get('content-type')).toContain('application/problem+json');
    expect(login.body.code).toBe('service_unavailable');
    expect(Number(login.headers.get('retry-after'))).toBeGreaterThan(0);

    // Links keep redirecting; their scans wait in the queue.
    for (let i = 0; i < SCANS_DURING; i++) await scan();
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - started)));
    const failedBatches = await metric(url(), 'qrlink_analytics_failed_batches_total');
    expect(failedBatches).toBeGreaterThanOrEqual(2);
    // Backing off: 7 tries in 8 s (then about one per 30 s), where 100 ms retries made 80.
    expect(failedBatches).toBeLessThanOrEqual(attemptsWithin(Date.now() - started) + 2);
    expect(await metric(url(), 'qrlink_scan_events_written_total')).toBe(SCANS_BEFORE);
    const failures = await metric(url(), `qrlink_db_write_failures_total{cause="${outage.cause}"}`);
    expect(failures).toBeGreaterThan(0);
  } finally {
    await outage.end();
    mended = true;
  }
  expect(mended).toBe(true);

  // Everything comes back by itself: readiness, logins, and every scan made meanwhile.
  const ready = await until(
    () => caller(url()).request('GET', '/readyz'),
    (res) => res.status === 200,
    30_000,
  );
  expect(ready.ok).toBe(true);
  const stored = await until(
    () => metric(url(), 'qrlink_scan_events_written_total'),
    (n) => n === SCANS_BEFORE + SCANS_DURING,
    60_000,
  );
  expect(stored.value).toBe(SCANS_BEFORE + SCANS_DURING);
  expect(await metric(url(), 'qrlink_scan_events_dropped_total')).toBe(0);
  expect(await metric(url(), 'qrlink_db_writable')).toBe(1);
  const analytics = await user.api.request('GET', `/api/v1/analytics?linkId=${link.id}`);
  expect(analytics.body.totals.total).toBe(SCANS_BEFORE + SCANS_DURING);
  const login = await caller(url()).request('POST', '/api/v1/auth/login', {
    email: user.email,
    password: user.password,
  });
  expect(login.status).toBe(200);

  // The cause, once per change of state; never the rollback message that used to hide it.
  const lines = parsed(outage.logs().slice(logsBefore));
  const named = (msg: string) => lines.filter((line) => line.msg === msg);
  expect(named('database cannot take writes')).toEqual([
    expect.objectContaining({ cause: outage.cause, code: outage.code }),
  ]);
  expect(named('database takes writes again')).toHaveLength(1);
  expect(named('analytics writes failing; retrying with backoff')).toEqual([
    expect.objectContaining({ cause: outage.cause, code: outage.code }),
  ]);
  expect(named('analytics writes recovered')).toHaveLength(1);
  const text = outage.logs().slice(logsBefore).join('\n');
  expect(text).not.toContain('cannot rollback');
  expect(lines.filter((line) => JSON.stringify(line).includes(outage.code)).length).toBe(2);
}

describe.skipIf(tmpfsMissing)('a full disk under SQLite', () => {
  // The server runs in a mount namespace of its own with its data folder on a 64 MiB tmpfs:
  // filling that file system is a real ENOSPC for every connection (the API's, the writer
  // thread's), which SQLite reports as SQLITE_FULL, as on a production disk. A chmod would not
  // stop root, and a pragma would only bind the one connection it is run on.
  let serve: ServeProcess;
  let dataDir: string;
  let user: TestUser;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'qrlink-full-disk-'));
    serve = await startServe(
      {
        QRLINK_DATA_DIR: dataDir,
        QRLINK_SECRET: 'test-secret-test-secret-test-secret-0000',
        QRLINK_SIGNUP: 'open',
        QRLINK_LOG_LEVEL: 'info',
      },
      [],
      {
        launcher: [
          'unshare',
          '--mount',
          'sh',
          '-c',
          'mount -t tmpfs -o size=64m qrlink-full-disk "$0" && exec "$@"',
          dataDir,
        ],
      },
    );
    user = await signUp(serve.url);
  });
  afterAll(async () => {
    await serve?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails readiness, answers 503, logs SQLITE_FULL once, backs off, and keeps all 232 scans', async () => {
    // The server's view of its data folder (the tmpfs), through its mount namespace.
    const filler = `/proc/${serve.child.pid}/root${dataDir}/filler`;
    await unwritableScenario(
      {
        url: () => serve.url,
        logs: () => serve.stdout().split('\n').filter(Boolean),
        cause: 'disk_full',
        code: 'SQLITE_FULL',
        async begin() {
          const fd = openSync(filler, 'w');
          const chunk = Buffer.alloc(1 << 20);
          try {
            for (;;) writeSync(fd, chunk);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          } finally {
            closeSync(fd);
          }
        },
        async end() {
          unlinkSync(filler);
        },
      },
      user,
    );
  });
});

describe.skipIf(pgMissing)('a read-only PostgreSQL database', () => {
  let t: TestApp;
  let user: TestUser;
  let admin: PostgresAdmin;
  beforeAll(async () => {
    t = await startTestApp({ dialect: 'postgres', env: { QRLINK_SIGNUP: 'open' } });
    user = await signUp(t.url);
    admin = await postgresAdminFor(t.app.ctx.config.db.postgresUrl as string);
  });
  afterAll(async () => {
    await admin?.end();
    await t?.close();
  });

  /** The setting applies to new sessions: the app's pools reconnect to pick it up. */
  async function setReadOnly(on: boolean): Promise<void> {
    await admin.alterDatabase(
      on ? 'set default_transaction_read_only = on' : 'reset default_transaction_read_only',
    );
    await admin.cutSessions();
  }

  it('fails readiness, answers 503, logs 25006 once, backs off, and keeps all 232 scans', async () => {
    await unwritableScenario(
      {
        url: () => t.url,
        logs: () => t.logs,
        cause: 'read_only',
        code: '25006',
        begin: () => setReadOnly(true),
        end: () => setReadOnly(false),
      },
      user,
    );
  });
});
