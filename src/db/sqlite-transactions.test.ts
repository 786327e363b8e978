import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './index.js';

describe('SQLite transactions', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrlink-sqlite-tx-'));
  let database: Database;
  beforeAll(async () => {
    database = openDatabase({ postgresUrl: null, sqliteFile: path.join(dir, 'full.db') });
    await sql`create table blobs (data blob not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insertBig = () =>
    database.db
      .transaction()
      .execute((tx) => sql`insert into blobs (data) values (randomblob(100000))`.execute(tx));

  it('fail with the error that ended them, not "cannot rollback", when SQLite rolled back itself', async () => {
    const sqlite = database.sqlite;
    if (!sqlite) throw new Error('an SQLite database was expected');
    // A database that may not grow: a faithful SQLITE_FULL, after which SQLite has already
    // rolled the transaction back on its own.
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    sqlite.pragma(`max_page_count = ${pages}`);
    const failure = await insertBig().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: 'SQLITE_FULL' });
    expect(sqlite.inTransaction).toBe(false);

    // Once there is room again, the same connection writes.
    sqlite.pragma('max_page_count = 1073741823');
    await insertBig();
    const row = await sql<{ n: number }>`select count(*) as n from blobs`.execute(database.db);
    expect(row.rows[0]?.n).toBe(1);
  });
});
