import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriverPackage } from './sqlite-driver.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'qrlink-sqlite-driver-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the SQLite driver', () => {
  it(`(${sqliteDriverPackage} on Node ${process.versions.node}) survives its statements being garbage collected`, () => {
    // A child process, because the failure this guards against aborts the whole process; and the
    // statements created in promise continuations, as a server's are: a collection that runs
    // there finalizes them with no entered context, which is where better-sqlite3 12 aborts.
    const script = path.join(scratch, 'gc.mjs');
    const driver = pathToFileURL(path.resolve(import.meta.dirname, 'sqlite-driver.ts')).href;
    writeFileSync(
      script,
      `import { SqliteDatabase } from ${JSON.stringify(driver)};
const db = new SqliteDatabase(':memory:');
let sum = 0;
for (let i = 0; i < 100000; i++) {
  await null;
  sum += db.prepare('select ' + (i % 1000) + ' as n').get().n;
}
const kept = db.prepare('select 1');
console.log('ok', sum, kept.reader);
`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).not.toMatch(/Assertion failed/);
    expect({ status: child.status, signal: child.signal }).toEqual({ status: 0, signal: null });
    expect(child.stdout.trim()).toBe(`ok ${100 * ((999 * 1000) / 2)} true`);
  });
});
