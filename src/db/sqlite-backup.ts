import { closeSync, openSync, readSync } from 'node:fs';
import { migrationsFor } from './migrations/index.js';
import { SqliteDatabase } from './sqlite-driver.js';

/**
 * Whole-file operations on a qrlink SQLite database for `qrlink backup` and `qrlink restore`.
 * A running server keeps its latest writes in qrlink.db-wal: only SQLite itself (the online
 * backup API) copies a consistent database, WAL included.
 */

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** All remaining pages in one step (better-sqlite3 caps a step at 2^31 - 1 pages). */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies `source` into `destination` with SQLite's online backup, in steps of about 5% so
 * progress can be shown. A write by another process between two steps (the server's analytics
 * writer) restarts the copy; after a restart the rest goes in one step, a single read
 * transaction that writers do not wait for under WAL, so a busy server cannot starve it.
 */
export async function backupSqlite(
  source: string,
  destination: string,
  onProgress: (progress: BackupProgress) => void,
): Promise<BackupProgress> {
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    let previous = Number.POSITIVE_INFINITY;
    let restarted = false;
    const done = await db.backup(destination, {
      progress({ totalPages, remainingPages }) {
        onProgress({ totalPages, remainingPages });
        restarted ||= remainingPages > previous;
        previous = remainingPages;
        return restarted ? ALL_PAGES : Math.max(256, Math.ceil(totalPages / 20));
      },
    });
    return { totalPages: done.totalPages, remainingPages: 0 };
  } finally {
    db.close();
  }
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * Why `file` is not a qrlink database this version can run, or null when it is: an SQLite file
 * that passes a quick integrity check and carries qrlink's migration history, none of it from
 * a newer qrlink.
 */
export function whyNotQrlinkDatabase(file: string): string | null {
  const header = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_MAGIC) return 'not an SQLite database';
  try {
    return whyNotQrlinkSchema(file);
  } catch (err) {
    // A damaged file fails to open or to read ("database disk image is malformed").
    return `unreadable (${err instanceof Error ? err.message : String(err)})`;
  }
}

function whyNotQrlinkSchema(file: string): string | null {
  const db = new SqliteDatabase(file, { fileMustExist: true });
  try {
    const tables = new Set(
      db.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[],
    );
    if (!tables.has('kysely_migration') || !tables.has('links')) return 'not a qrlink database';
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') return `damaged (${String(check)})`;
    const known = new Set(Object.keys(migrationsFor('sqlite')));
    const applied = db.prepare('select name from kysely_migration').pluck().all() as string[];
    const newer = applied.filter((name) => !known.has(name));
    if (newer.length > 0) return `made by a newer qrlink (migration ${newer[0]})`;
    return null;
  } finally {
    db.close();
  }
}

/**
 * True while another connection (a running server) has the database open. A connection in
 * exclusive locking mode must lock the whole file to read a WAL database, which it cannot
 * while anyone else holds it open, even idle; with nobody there it gets the lock at once.
 */
export function isSqliteInUse(file: string): boolean {
  const db = new SqliteDatabase(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.prepare('select count(*) from sqlite_master').get();
    return false;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return true;
    throw err;
  } finally {
    db.close();
  }
}
