import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, signUp, type TestUser } from '../helpers/app.js';
import { createLink, type CreatedLink } from '../helpers/redirect.js';
import {
  ensureBuilt,
  fields,
  runCliProcess,
  startServe,
  type ServeProcess,
} from '../helpers/serve.js';
import { SqliteDatabase } from '../../src/db/sqlite-driver.js';

/**
 * `qrlink backup` and `qrlink restore` as an operator uses them: a backup taken while the server
 * runs (its latest writes still in qrlink.db-wal) restores into a fresh folder where the links
 * redirect and the API keys still verify (the generated secret travels with the database).
 */

const SLOW = { timeout: 180_000 };

let scratch: string;
const folder = (name: string) => mkdtempSync(path.join(scratch, `${name}-`));
const cli = (args: string[], dataDir: string, env: Record<string, string> = {}) =>
  runCliProcess(args, { env: { QRLINK_DATA_DIR: dataDir, ...env }, cwd: scratch });

beforeAll(() => {
  ensureBuilt();
  scratch = mkdtempSync(path.join(tmpdir(), 'qrlink-backup-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('backup and restore on SQLite', SLOW, () => {
  let original: ServeProcess;
  let originalDir: string;
  let user: TestUser;
  let link: CreatedLink;
  let backupFile: string;

  beforeAll(async () => {
    originalDir = folder('original');
    original = await startServe({ QRLINK_DATA_DIR: originalDir });
    user = await signUp(original.url);
    link = await createLink(user, { url: 'https://example.com/restored' });
    backupFile = path.join(folder('backups'), 'qrlink-backup.db');
  }, SLOW.timeout);
  afterAll(() => original?.stop());

  it('backs up the running server: database and secret, progress on stderr', async () => {
    expect(existsSync(path.join(originalDir, 'qrlink.db-wal'))).toBe(true);
    const run = await cli(['backup', backupFile], originalDir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^qrlink backup: 100% \(\d+ of \d+ pages\)$/m);
    expect(fields(run.stdout)).toMatchObject({
      database: backupFile,
      secret: `${backupFile}.secret`,
    });
    expect(readFileSync(`${backupFile}.secret`, 'utf8')).toBe(
      readFileSync(path.join(originalDir, 'secret'), 'utf8'),
    );
    expect(statSync(`${backupFile}.secret`).mode & 0o077).toBe(0);
    expect(readdirLeftovers(path.dirname(backupFile))).toEqual([
      'qrlink-backup.db',
      'qrlink-backup.db.secret',
    ]);
  });

  it('refuses to overwrite a backup without --force', async () => {
    const before = readFileSync(backupFile);
    const refused = await cli(['backup', backupFile], originalDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `qrlink backup: ${backupFile} already exists (add --force to replace it)\n`,
    );
    expect(readFileSync(backupFile).equals(before)).toBe(true);
    const forced = await cli(['backup', backupFile, '--force'], originalDir);
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('restores into a fresh folder, where the link redirects and the API key works', async () => {
    const restoredDir = folder('restored');
    const run = await cli(['restore', backupFile], restoredDir);
    expect(run.code, run.stderr).toBe(0);
    expect(fields(run.stdout)).toMatchObject({
      database: path.join(restoredDir, 'qrlink.db'),
      secret: path.join(restoredDir, 'secret'),
    });
    const restored = await startServe({ QRLINK_DATA_DIR: restoredDir });
    try {
      const scan = await fetch(`${restored.url}/${link.code}`, { redirect: 'manual' });
      expect(scan.status).toBe(302);
      expect(scan.headers.get('location')).toBe('https://example.com/restored');
      const me = await caller(restored.url, { key: user.key }).request('GET', '/api/v1/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: { id: user.userId } });
    } finally {
      await restored.stop();
    }
  });

  it('refuses to restore under a running server, even with --force', async () => {
    const run = await cli(['restore', backupFile, '--force'], originalDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `qrlink restore: a running server is using ${path.join(originalDir, 'qrlink.db')}: stop it first\n`,
    );
  });

  it('refuses to replace existing data without --force, and replaces it with --force', async () => {
    const dataDir = folder('existing');
    const created = await cli(['migrate'], dataDir);
    expect(created.code, created.stderr).toBe(0);
    const refused = await cli(['restore', backupFile], dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `qrlink restore: ${dataDir} (QRLINK_DATA_DIR) already holds a database (add --force to replace it)\n`,
    );
    const forced = await cli(['restore', backupFile, '--force'], dataDir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(path.join(dataDir, 'secret'), 'utf8')).toBe(
      readFileSync(`${backupFile}.secret`, 'utf8'),
    );
  });

  it.each([
    ['a text file', 'notes.txt', 'hello, not a database\n'],
    ['an empty file', 'empty.db', ''],
  ])('refuses %s: not a qrlink database', async (_what, name, content) => {
    const file = path.join(folder('junk'), name);
    writeFileSync(file, content);
    const dataDir = folder('target');
    const run = await cli(['restore', file], dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`qrlink restore: ${file} is not a qrlink database backup\n`);
    expect(readdirLeftovers(dataDir)).toEqual([]);
  });

  it('refuses an SQLite database that is not qrlink', async () => {
    const foreign = path.join(folder('other'), 'other.db');
    const db = new SqliteDatabase(foreign);
    db.exec('create table notes (id integer primary key, body text)');
    db.close();
    const dataDir = folder('other-target');
    const run = await cli(['restore', foreign], dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`qrlink restore: ${foreign} is not a qrlink database backup\n`);
    expect(readdirLeftovers(dataDir)).toEqual([]);
  });
});

/** What a folder holds (a failed restore or backup must leave no temporary file behind). */
const readdirLeftovers = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).sort() : [];

describe('backup on PostgreSQL', () => {
  it('prints pg_dump advice and where the secret is, and writes nothing', async () => {
    const dataDir = folder('pg');
    const file = path.join(dataDir, 'backup.db');
    const run = await cli(['backup', file], dataDir, {
      QRLINK_DATABASE_URL: 'postgres://qrlink:pw-s3cret@db.internal:5432/qrlink',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "pg_dump --format=custom --file qrlink.dump 'postgres://qrlink@db.internal:5432/qrlink'",
    );
    expect(run.stderr).toContain(path.join(dataDir, 'secret'));
    expect(run.stderr).not.toContain('pw-s3cret');
    expect(existsSync(file)).toBe(false);
  });
});
