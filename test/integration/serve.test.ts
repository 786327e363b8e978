import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../helpers/app.js';
import { createLink, until } from '../helpers/redirect.js';
import {
  ensureBuilt,
  freePort,
  runCliProcess,
  startServe,
  type ServeProcess,
} from '../helpers/serve.js';
import { decodeWithJsqr } from '../qr/decoders.js';
import { REDIS_URL, redisMissing } from '../helpers/services.js';

/**
 * `qrlink serve` as a self-hoster starts it from a fresh clone: which base URL codes carry,
 * what the logs look like, and how a start that cannot succeed ends.
 */

const SECRET = 'test-secret-test-secret-test-secret-0000';
/**
 * Child processes start slowly on a loaded machine (a cluster's workers most of all); a start
 * that hangs instead of failing is caught by runCliProcess's deadline, well inside this.
 */
const SLOW = { timeout: 180_000 };
const DEADLINE_MS = 120_000;
const redisDown = (await redisMissing()) !== null;
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qrlink-serve-'));
  dirs.push(dir);
  return dir;
};

beforeAll(() => ensureBuilt());
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type LogLine = Record<string, unknown>;

/**
 * The keys of a JSON object written twice at one level ({"pid":1,"pid":1}), which JSON.parse
 * silently collapses. Walks the text: strings are skipped whole, braces and brackets nest.
 */
function duplicateKeys(json: string): string[] {
  const scopes: { keys: Set<string>; object: boolean }[] = [];
  const duplicates: string[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{' || c === '[') scopes.push({ keys: new Set(), object: c === '{' });
    else if (c === '}' || c === ']') scopes.pop();
    else if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const text = json.slice(i, end + 1);
      const scope = scopes.at(-1);
      const isKey = /^\s*:/.test(json.slice(end + 1, end + 3));
      if (scope?.object && isKey) {
        const key = JSON.parse(text) as string;
        if (scope.keys.has(key)) duplicates.push(key);
        scope.keys.add(key);
      }
      i = end;
    }
  }
  return duplicates;
}

/** Every line a server wrote, each of which must be a JSON object without repeated keys. */
function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
      expect(duplicateKeys(line), line).toEqual([]);
      return parsed as LogLine;
    });
}

describe('the base URL codes carry', SLOW, () => {
  let server: ServeProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = freshDir();
    // PORT says one thing, --port another: the flag decides, and the base URL follows it.
    server = await startServe(
      {
        QRLINK_DATA_DIR: dataDir,
        QRLINK_SECRET: SECRET,
        QRLINK_HOST: '0.0.0.0',
        QRLINK_LOG_LEVEL: 'info',
      },
      [],
      { portVia: 'flag' },
    );
  }, SLOW.timeout);
  afterAll(() => server?.stop());

  it('follows --port when QRLINK_BASE_URL is unset: short URLs and QR codes', async () => {
    const user = await signUp(server.url);
    const link = await createLink(user, { url: 'https://example.com/menu' });
    expect(link.shortUrl).toBe(`http://localhost:${server.port}/${link.code}`);
    const png = await fetch(`${server.url}/api/v1/links/${link.id}/qr?format=png`, {
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(png.status).toBe(200);
    const decoded = decodeWithJsqr(Buffer.from(await png.arrayBuffer()));
    expect(decoded).toBe(`HTTP://LOCALHOST:${server.port}/${link.code.toUpperCase()}/Q`);
  });

  it('says at start-up which base URL codes carry, and warns that localhost fails on a phone', async () => {
    const lines = logLines(server.stdout());
    const base = lines.find((l) => l.baseUrl !== undefined && l.level === 30);
    expect(base).toMatchObject({ baseUrl: `http://localhost:${server.port}` });
    const warning = lines.find((l) => l.level === 40 && l.baseUrl !== undefined);
    expect(warning).toMatchObject({ baseUrl: `http://localhost:${server.port}`, host: '0.0.0.0' });
    expect(String(warning?.msg)).toMatch(/QRLINK_BASE_URL/);
  });

  it('writes only JSON log lines without repeated keys, and says when it has stopped', async () => {
    // A request through Fastify and one through the redirect engine, to log what they log.
    expect((await fetch(`${server.url}/api/v1/me`)).status).toBe(401);
    expect((await fetch(`${server.url}/nope-nothing`)).status).toBe(404);
    expect(await server.stop()).toBe(true);
    expect(server.stderr()).toBe('');
    const lines = logLines(server.stdout());
    expect(lines.map((l) => l.msg)).toContain('qrlink is listening');
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'server stopped' });
  });
});

describe('the base URL from PORT, listening on one interface', SLOW, () => {
  it('follows PORT and does not warn when only this machine can connect', async () => {
    const server = await startServe({
      QRLINK_DATA_DIR: freshDir(),
      QRLINK_SECRET: SECRET,
      QRLINK_HOST: '127.0.0.1',
      QRLINK_LOG_LEVEL: 'info',
    });
    try {
      const user = await signUp(server.url);
      const link = await createLink(user, { url: 'https://example.com/' });
      expect(link.shortUrl).toBe(`http://localhost:${server.port}/${link.code}`);
    } finally {
      await server.stop();
    }
    const lines = logLines(server.stdout());
    expect(lines.find((l) => l.baseUrl !== undefined)).toMatchObject({
      level: 30,
      baseUrl: `http://localhost:${server.port}`,
    });
    expect(lines.filter((l) => l.level === 40)).toEqual([]);
  });
});

describe('serve --workers 2', SLOW, () => {
  it('logs JSON from the primary too (a worker replaced), and a last line when stopped', async () => {
    const server = await startServe(
      { QRLINK_DATA_DIR: freshDir(), QRLINK_SECRET: SECRET, QRLINK_LOG_LEVEL: 'info' },
      ['--workers', '2'],
    );
    try {
      const listening = await until(
        async () => logLines(server.stdout()).filter((l) => l.msg === 'qrlink is listening'),
        (found) => found.length === 2,
        DEADLINE_MS,
      );
      expect(listening.ok).toBe(true);
      const victim = listening.value[0]?.pid as number;
      process.kill(victim, 'SIGKILL');
      const replaced = await until(
        async () => logLines(server.stdout()).filter((l) => l.msg === 'qrlink is listening'),
        (found) => found.length === 3,
        DEADLINE_MS,
      );
      expect(replaced.ok).toBe(true);
      expect(logLines(server.stdout())).toContainEqual(
        expect.objectContaining({ level: 40, workerPid: victim, signal: 'SIGKILL' }),
      );
    } finally {
      expect(await server.stop()).toBe(true);
    }
    expect(server.stderr()).toBe('');
    const lines = logLines(server.stdout());
    expect(lines.filter((l) => l.msg === 'server stopped')).toHaveLength(3);
    expect(lines.at(-1)).toMatchObject({ msg: 'server stopped', pid: server.child.pid });
  });
});

/** A port held by another program, on the interface the server would bind. */
async function occupiedPort(): Promise<{ port: number; release(): Promise<void> }> {
  const port = await freePort();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  return { port, release: () => new Promise((resolve) => blocker.close(() => resolve())) };
}

describe('a start that cannot succeed exits by itself, saying why', SLOW, () => {
  it.each([[[]], [['--workers', '2']]])(
    'serve %j on a port already in use names the port and PORT',
    async (args) => {
      const { port, release } = await occupiedPort();
      try {
        const run = await runCliProcess(['serve', ...args], {
          env: {
            QRLINK_DATA_DIR: freshDir(),
            QRLINK_SECRET: SECRET,
            QRLINK_HOST: '127.0.0.1',
            PORT: String(port),
          },
          deadlineMs: DEADLINE_MS,
        });
        expect(run.signal, run.stderr).toBeNull();
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(
          `qrlink serve: port ${port} is already in use (set PORT or --port)`,
        );
        expect(run.stderr).not.toMatch(/unexpected error/);
      } finally {
        await release();
      }
    },
  );

  it.skipIf(redisDown)(
    'serve whose start fails part-way (Redis already connected) exits, naming the variable',
    async () => {
      const run = await runCliProcess(['serve'], {
        env: {
          QRLINK_DATA_DIR: freshDir(),
          QRLINK_SECRET: SECRET,
          QRLINK_HOST: '127.0.0.1',
          PORT: String(await freePort()),
          QRLINK_REDIS_URL: REDIS_URL,
          QRLINK_GEOIP_DB: path.join(freshDir(), 'missing.mmdb'),
        },
        deadlineMs: DEADLINE_MS,
      });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code).toBe(78);
      expect(run.stderr).toMatch(/^qrlink serve: configuration error: QRLINK_GEOIP_DB: /);
    },
  );

  it.each([[['serve']], [['serve', '--workers', '2']], [['migrate']]])(
    '%j with PostgreSQL unreachable names QRLINK_DATABASE_URL and host:port, never the password',
    async (args) => {
      const port = await freePort();
      const run = await runCliProcess(args, {
        env: {
          QRLINK_DATA_DIR: freshDir(),
          QRLINK_SECRET: SECRET,
          QRLINK_DATABASE_URL: `postgres://qrlink:pw-s3cret@127.0.0.1:${port}/qrlink`,
        },
        deadlineMs: DEADLINE_MS,
      });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `cannot connect to PostgreSQL at 127.0.0.1:${port} (QRLINK_DATABASE_URL)`,
      );
      expect(run.stderr).not.toContain('pw-s3cret');
      expect(run.stderr).not.toMatch(/unexpected error/);
    },
  );
});
