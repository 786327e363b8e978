import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAIN_JS,
  childEnv,
  ensureBuilt,
  fields,
  freePort,
  runCliProcess,
  type CliRun,
} from '../helpers/serve.js';

/**
 * The built CLI (`node dist/main.js`), as an operator scripts a fresh install: create a user and
 * a key, start the server, call it with the key, stop it with SIGTERM. `npm test` builds dist
 * first; run alone, this file rebuilds it when src is newer.
 */

let dataDir: string;
const env = (extra: Record<string, string> = {}) => ({ QRLINK_DATA_DIR: dataDir, ...extra });

const run = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> =>
  runCliProcess(args, { env: env(extra), cwd: dataDir });

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${seen}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}: ${seen}`));
    });
  });
}

beforeAll(() => {
  ensureBuilt();
  dataDir = mkdtempSync(path.join(tmpdir(), 'qrlink-cli-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('qrlink CLI', () => {
  let key = '';
  let workspaceId = '';
  let userId = '';

  it('admin create-user prints the new ids as name: value lines', async () => {
    const result = await run([
      'admin',
      'create-user',
      '--email',
      'Ops@Example.test',
      '--password',
      'correct horse battery',
      '--workspace',
      'Acme',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = fields(result.stdout);
    expect(out.user).toMatch(/^usr_[0-9a-z]{26}$/);
    expect(out.workspace).toMatch(/^wsp_[0-9a-z]{26}$/);
    userId = out.user as string;
    workspaceId = out.workspace as string;
  });

  it('admin create-key prints the key once, with its id and scopes', async () => {
    const result = await run([
      'admin',
      'create-key',
      '--email',
      'ops@example.test',
      '--workspace',
      'Acme',
      '--scopes',
      'links:read,workspace:admin',
    ]);
    expect(result.code).toBe(0);
    const out = fields(result.stdout);
    expect(out.id).toMatch(/^key_/);
    expect(out.key).toMatch(/^qrl_live_[0-9A-Za-z]{38}$/);
    expect(out.scopes).toBe('links:read,workspace:admin');
    key = out.key as string;
  });

  it('serve answers /api/v1/me with that key, and exits 0 soon after SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN_JS, 'serve'], {
      env: childEnv(env({ PORT: String(port), QRLINK_HOST: '127.0.0.1' })),
      cwd: dataDir,
    });
    try {
      await waitForOutput(child, /"msg":"qrlink is listening"/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        user: { id: userId, email: 'ops@example.test' },
        workspace: { id: workspaceId, name: 'Acme', role: 'owner' },
      });
      // A keep-alive connection stays open: shutdown must not wait for it.
      await fetch(`http://127.0.0.1:${port}/healthz`, { keepalive: true });

      const started = Date.now();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('migrate applies nothing on an up-to-date database', async () => {
    const result = await run(['migrate']);
    expect(result.code).toBe(0);
    expect(fields(result.stdout)).toMatchObject({ dialect: 'sqlite', applied: '0' });
  });

  it.each([
    [['admin', 'create-user', '--emial', 'x@example.test'], '--emial'],
    [['admin', 'create-user', '--password', 'long enough'], '--email'],
    [
      ['admin', 'create-key', '--email', 'ops@example.test', '--scopes', 'links:read,root'],
      '--scopes',
    ],
    [['serve', '--workers', 'many'], '--workers'],
    [['admin', 'explode'], 'explode'],
    [['frobnicate'], 'frobnicate'],
  ])('refuses bad usage %j with exit 2 and one line naming %s', async (args, named) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(named);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ QRLINK_DATABASE_URL: 'mysql://db/qrlink' }, 'QRLINK_DATABASE_URL'],
    [{ QRLINK_SIGNUP: 'sometimes' }, 'QRLINK_SIGNUP'],
  ])('stops on bad configuration %j with a message naming %s', async (extra, variable) => {
    const result = await run(['serve'], extra);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(variable);
    expect(result.stdout).not.toMatch(/listening/);
  });

  it('reports an unknown user as an error, not a crash', async () => {
    const result = await run(['admin', 'create-key', '--email', 'nobody@example.test']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No user with e-mail nobody@example.test/);
  });
});

describe('configuration from a .env file', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'qrlink-dotenv-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** `migrate` in a folder of its own; which data folder it migrated shows what it read. */
  const migrateIn = (cwd: string, extra: Record<string, string> = {}) =>
    runCliProcess(['migrate'], { env: extra, cwd });

  it('reads .env from the working folder', async () => {
    const cwd = mkdtempSync(path.join(folder, 'read-'));
    writeFileSync(path.join(cwd, '.env'), '# settings\nQRLINK_DATA_DIR=from-dotenv\n');
    const result = await migrateIn(cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(path.join(cwd, 'from-dotenv', 'qrlink.db'))).toBe(true);
  });

  it('never overrides a variable set in the real environment', async () => {
    const cwd = mkdtempSync(path.join(folder, 'env-wins-'));
    writeFileSync(path.join(cwd, '.env'), 'QRLINK_DATA_DIR=from-dotenv\nQRLINK_SIGNUP=closed\n');
    const result = await migrateIn(cwd, { QRLINK_DATA_DIR: path.join(cwd, 'from-env') });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(cwd, 'from-env', 'qrlink.db'))).toBe(true);
    expect(existsSync(path.join(cwd, 'from-dotenv'))).toBe(false);
  });

  it('reads the file QRLINK_ENV_FILE names instead, and names it when it is missing', async () => {
    const cwd = mkdtempSync(path.join(folder, 'named-'));
    writeFileSync(path.join(cwd, '.env'), 'QRLINK_DATA_DIR=from-dotenv\n');
    writeFileSync(path.join(cwd, 'prod.env'), 'QRLINK_DATA_DIR=from-prod\n');
    const named = await migrateIn(cwd, { QRLINK_ENV_FILE: 'prod.env' });
    expect(named.code).toBe(0);
    expect(existsSync(path.join(cwd, 'from-prod', 'qrlink.db'))).toBe(true);
    expect(existsSync(path.join(cwd, 'from-dotenv'))).toBe(false);

    const missing = await migrateIn(cwd, { QRLINK_ENV_FILE: 'nope.env' });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/^qrlink: configuration error: QRLINK_ENV_FILE: cannot read /);
    expect(missing.stderr).toContain('nope.env');
  });

  it('lets a bad value in .env stop the start, naming the variable', async () => {
    const cwd = mkdtempSync(path.join(folder, 'bad-'));
    writeFileSync(path.join(cwd, '.env'), 'QRLINK_SIGNUP=sometimes\n');
    const result = await runCliProcess(['serve'], { cwd });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('QRLINK_SIGNUP');
  });
});
