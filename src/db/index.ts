import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { migrationsFor } from './migrations/index.js';
import type { DB } from './schema.js';
import { SqliteDatabase } from './sqlite-driver.js';

export type { DB } from './schema.js';

/** What repo functions take, so a caller can pass the database or a transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  /** How it was opened, so another thread can open its own connection to the same database. */
  readonly options: DatabaseOptions;
  /**
   * The better-sqlite3 handle under `db` (null on PostgreSQL), for the one bulk path where
   * Kysely's per-statement cost dominates: analytics ingest runs its prepared statements on it
   * inside a Kysely transaction. Everything else goes through `db`.
   */
  readonly sqlite: SqliteDatabase | null;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * Runs a one-off read of whole tables (loading every active link at start) without letting
   * it fill SQLite's page cache: those pages would stay resident, unused, next to what was
   * loaded (about 180 MB at a million links). PostgreSQL caches on its own server.
   */
  scanning<T>(read: () => Promise<T>): Promise<T>;
  /** Pool statistics for /metrics (SQLite has one connection). */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  postgresUrl: string | null;
  /** SQLite file; ':memory:' for throwaway databases in tests. */
  sqliteFile: string;
  poolSize?: number;
}

// int8 columns (epoch ms, counters) come back as numbers: all fit in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function openDatabase(options: DatabaseOptions): Database {
  return options.postgresUrl
    ? openPostgres(options, options.postgresUrl, options.poolSize ?? 10)
    : openSqlite(options, options.sqliteFile);
}

/**
 * Transactions take SQLite's write lock when they begin (`BEGIN IMMEDIATE`), waiting up to
 * busy_timeout for it. A deferred `BEGIN` that reads and then writes fails at once with
 * SQLITE_BUSY (no waiting) when another connection committed in between, and another
 * connection always exists: the analytics writer thread, and the other `--workers`.
 *
 * On some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite has already rolled the
 * transaction back itself; a ROLLBACK then fails with "cannot rollback - no transaction is
 * active", and Kysely would throw that in place of the error that explains the failure.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(private readonly sqlite: SqliteDatabase) {
    super({ database: sqlite });
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackTransaction(connection);
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SqliteDatabase) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqlite);
  }
}

/** SQLite page cache (KiB), and the small one a whole-table scan runs with. */
const SQLITE_CACHE_KIB = 131_072;
const SQLITE_SCAN_CACHE_KIB = 2_048;

function openSqlite(options: DatabaseOptions, file: string): Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  // An analytics batch dirties thousands of pages (rollups, visitor markers): the default 2 MiB
  // cache spills them mid-transaction and rereads them. An upper bound, filled only as used.
  sqlite.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  // Each analytics batch rewrites a few thousand scattered pages (every active link's rollup and
  // index pages), mostly the same ones as the batch before. Checkpointing every 1,000 WAL pages
  // (the default) copied them back into the database after nearly every batch; every 10,000
  // (a WAL of up to ~40 MiB) copies each page once for several batches: a third less commit time.
  sqlite.pragma('wal_autocheckpoint = 10000');
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect(sqlite) });
  return {
    db,
    dialect: 'sqlite',
    options,
    sqlite,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async scanning(read) {
      sqlite.pragma(`cache_size = -${SQLITE_SCAN_CACHE_KIB}`);
      try {
        return await read();
      } finally {
        sqlite.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
      }
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: () => db.destroy(),
  };
}

function openPostgres(options: DatabaseOptions, url: string, max: number): Database {
  // A burst of API writes queues for a connection rather than failing; an unreachable server
  // still fails at once (connection refused), so redirects answer 503 quickly.
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 20_000 });
  // A client losing its connection must not crash the process; the pool replaces it. The pool
  // only listens while a client is idle, and a checked-out client whose server goes away
  // (restart, failover, pg_terminate_backend) emits 'error' too: its query fails, nothing else.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    options,
    sqlite: null,
    async ping() {
      await sql`select 1`.execute(db);
    },
    scanning: (read) => read(),
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    close: () => db.destroy(),
  };
}

export interface MigrationReport {
  applied: string[];
}

/** Applies pending migrations; throws with the failing migration's name. */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrationsFor(database.dialect) },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      failed
        ? `migration ${failed.migrationName} failed: ${reason}`
        : `migrations failed: ${reason}`,
    );
  }
  return { applied: (results ?? []).map((r) => r.migrationName) };
}

/** Unique-constraint violations, recognised by driver error code (never by message text). */
export function isUniqueViolation(err: unknown): boolean {
  if (!err || typeof err !== 'object' || !('code' in err)) return false;
  const code = (err as { code: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export function sqliteFileFor(dataDir: string): string {
  return path.join(dataDir, 'qrlink.db');
}
