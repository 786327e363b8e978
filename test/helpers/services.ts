import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Access to the real services CI runs (PostgreSQL, Redis, NATS). On a laptop without them the
 * tests that need them are skipped with a printed reason; with QRLINK_REQUIRE_SERVICES=1
 * (set by .ci/run) a missing service fails the run instead.
 */
export const REQUIRE_SERVICES = process.env.QRLINK_REQUIRE_SERVICES === '1';

export const POSTGRES_ADMIN_URL =
  process.env.QRLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Null when the service is up; otherwise the reason to print (or throws in CI). */
export async function serviceMissing(
  name: string,
  host: string,
  port: number,
): Promise<string | null> {
  if (await reachable(host, port)) return null;
  const reason = `${name} is not reachable on ${host}:${port}`;
  if (REQUIRE_SERVICES) throw new Error(`${reason} and QRLINK_REQUIRE_SERVICES=1`);
  console.warn(`skipping ${name} tests: ${reason}`);
  return reason;
}

/**
 * Null when this machine lets a test give a child process a mount namespace and a tmpfs of its
 * own (root or CAP_SYS_ADMIN, as in CI): a file system the test can fill without touching
 * anyone else's. Otherwise the reason (or throws in CI), as for a missing service.
 */
export function mountNamespaceMissing(): string | null {
  const probe = spawnSync(
    'unshare',
    ['--mount', 'mount', '-t', 'tmpfs', '-o', 'size=1m', 'qrlink-probe', tmpdir()],
    { encoding: 'utf8' },
  );
  if (probe.status === 0) return null;
  const reason = `cannot mount a tmpfs in a mount namespace (unshare): ${probe.error?.message ?? probe.stderr.trim()}`;
  if (REQUIRE_SERVICES) throw new Error(`${reason} and QRLINK_REQUIRE_SERVICES=1`);
  console.warn(`skipping full-disk tests: ${reason}`);
  return reason;
}

export const postgresMissing = () => {
  const url = new URL(POSTGRES_ADMIN_URL);
  return serviceMissing('PostgreSQL', url.hostname, Number(url.port || 5432));
};

export interface ScratchPostgres {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database of its own for one test file (or benchmark run); dropped afterwards. */
export async function createScratchPostgres(
  adminUrl = POSTGRES_ADMIN_URL,
  prefix = 'qrlink_test',
): Promise<ScratchPostgres> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** An admin session on the server of a test app's database, to break and mend that database. */
export interface PostgresAdmin {
  /** `alter database <the app's> …`, e.g. `allow_connections false`. */
  alterDatabase(change: string): Promise<void>;
  /** Cuts every session of the app's database: its pools reconnect (and pick up new settings). */
  cutSessions(): Promise<void>;
  end(): Promise<void>;
}

export async function postgresAdminFor(databaseUrl: string): Promise<PostgresAdmin> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  return {
    async alterDatabase(change) {
      await admin.query(`alter database ${name} ${change}`);
    },
    async cutSessions() {
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
    },
    end: () => admin.end(),
  };
}

export const REDIS_URL = process.env.QRLINK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const redisMissing = () => {
  const url = new URL(REDIS_URL);
  return serviceMissing('Redis', url.hostname, Number(url.port || 6379));
};

/** A key prefix of its own for one test file; `drop()` deletes every key under it. */
export function scratchRedisPrefix(): { prefix: string; drop(): Promise<void> } {
  const prefix = `qrlink-test-${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    async drop() {
      const redis = new Redis(REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
