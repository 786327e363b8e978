import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm test` builds before running vitest). */
export const MAIN_JS = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr (restarts of workers show up here). */
  stderr: () => string;
  /** Everything it wrote to stdout: the JSON log lines. */
  stdout: () => string;
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
 * answers. `env` is added to a minimal environment (data dir, secret, database URL, …).
 * `launcher`: a command that runs the server in turn (it ends by exec'ing its arguments), so
 * the child's pid is the server's.
 */
export async function startServe(
  env: Record<string, string>,
  args: string[] = [],
  launcher: string[] = [],
): Promise<ServeProcess> {
  const port = await freePort();
  const command = [...launcher, process.execPath, MAIN_JS, 'serve', ...args];
  const child = spawn(command[0] as string, command.slice(1), {
    env: {
      PATH: process.env.PATH ?? '',
      QRLINK_HOST: '127.0.0.1',
      QRLINK_LOG_LEVEL: 'warn',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
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
    child,
    stderr: () => stderr,
    stdout: () => stdout,
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
