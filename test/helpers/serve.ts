import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm test` builds before running vitest). */
export const MAIN_JS = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    return Math.max(latest, time);
  }, 0);
}

/** Rebuilds dist when src is newer, so a CLI test file run on its own tests today's code. */
export function ensureBuilt(): void {
  if (existsSync(MAIN_JS) && statSync(MAIN_JS).mtimeMs >= newestMtime(path.join(ROOT, 'src'))) {
    return;
  }
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

/**
 * A clean environment for a child: nothing from the test runner's own QRLINK_* variables leaks
 * in, and the working folder (where `.env` is read from) is one the test chose.
 */
export function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', ...env };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** How long the process ran. */
  ms: number;
}

/**
 * `node dist/main.js …args` to its end. A process still running after `deadlineMs` is killed
 * (SIGKILL) and reported with signal SIGKILL, so a hang fails the test instead of stalling it.
 */
export function runCliProcess(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; deadlineMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [MAIN_JS, ...args], {
      env: childEnv(options.env ?? {}),
      cwd: options.cwd ?? tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.deadlineMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `name: value` lines → an object. */
export function fields(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^([a-z][\w-]*): (.+)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

export interface ServeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout (its JSON log lines). */
  stdout: () => string;
  /** Everything the process wrote to stderr (restarts of workers show up here). */
  stderr: () => string;
  /** SIGTERM, then SIGKILL after 10 s; resolves true when the process ended on SIGTERM alone. */
  stop(): Promise<boolean>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `node dist/main.js serve` as a real child process on a free port; resolves once /healthz
 * answers. `env` is added to a minimal environment (data dir, secret, database URL, …). The
 * port goes in PORT, or with `portVia: 'flag'` in --port (PORT then names another one).
 * `launcher`: a command that runs the server in turn (it ends by exec'ing its arguments), so
 * the child's pid is the server's.
 */
export async function startServe(
  env: Record<string, string>,
  args: string[] = [],
  options: { cwd?: string; portVia?: 'env' | 'flag'; launcher?: string[] } = {},
): Promise<ServeProcess> {
  const port = await freePort();
  const byFlag = options.portVia === 'flag';
  const portArgs = byFlag ? ['--port', String(port)] : [];
  const command = [
    ...(options.launcher ?? []),
    process.execPath,
    MAIN_JS,
    'serve',
    ...args,
    ...portArgs,
  ];
  const child = spawn(command[0] as string, command.slice(1), {
    env: childEnv({
      QRLINK_HOST: '127.0.0.1',
      QRLINK_LOG_LEVEL: 'warn',
      PORT: byFlag ? String(port === 65535 ? port - 1 : port + 1) : String(port),
      ...env,
    }),
    cwd: options.cwd ?? tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  // 'close', not 'exit': the last log lines may still be in the pipe when the process exits.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited early: ${stderr}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start in time: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return true;
      child.kill('SIGTERM');
      let graceful = true;
      const timer = setTimeout(() => {
        graceful = false;
        child.kill('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
      return graceful;
    },
  };
}
