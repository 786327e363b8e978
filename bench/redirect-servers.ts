/**
 * bench:redirect's servers: child processes whose CPU time and memory are read from /proc.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/helpers/serve.js';

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** The processes serving requests: the process and, for cluster and nginx, its children. */
  pids(): number[];
  stop(): Promise<void>;
}

/** USER_HZ: /proc reports CPU time in ticks of 10 ms on Linux. */
const TICK_US = 10_000;

/** Fields after the command name in /proc/<pid>/stat (ppid is [1], utime [11], stime [12]). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && Number(statFields(Number(entry))?.[1]) === pid) {
      children.push(Number(entry));
    }
  }
  return children;
}

/** User + system CPU time of the processes, in µs. */
export function cpuUs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_US;
}

/** VmRSS and VmHWM (its peak) of a process, in bytes. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/**
 * Starts a server process on `port` and resolves once GET `probe` answers 302. Its stderr is
 * relayed with its name in front.
 */
export async function startServer(options: {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  port: number;
  probe: string;
  /** Count the children's CPU too (cluster primary, nginx master). */
  multiProcess: boolean;
}): Promise<ServerProcess> {
  const { name } = options;
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    process.stderr.write(`[${name}] ${chunk.toString('utf8')}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited early: ${stderr}`);
    try {
      const res = await fetch(url + options.probe, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status === 302) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start in time: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid as number;
  return {
    name,
    url,
    pid,
    pids: () => (options.multiProcess ? [pid, ...childrenOf(pid)] : [pid]),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
    },
  };
}

export function nginxInstalled(): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .concat('/usr/sbin')
    .some((bin) => existsSync(path.join(bin, 'nginx')));
}

/** nginx with one worker answering every request with `return 302`, configured in `dir`. */
export async function startNginx(dir: string): Promise<ServerProcess> {
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  keepalive_requests 10000000;
  keepalive_timeout 65s;
  server {
    listen 127.0.0.1:${port};
    location / {
      add_header cache-control "private, max-age=0" always;
      add_header x-robots-tag noindex always;
      return 302 https://example.com/p/0;
    }
  }
}
`,
  );
  return startServer({
    name: 'nginx',
    command: 'nginx',
    args: ['-p', dir, '-e', `${dir}/error.log`, '-c', conf],
    env: {},
    port,
    probe: '/',
    multiProcess: true,
  });
}
