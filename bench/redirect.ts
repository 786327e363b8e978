/**
 * Redirect benchmark (issue 4 §7): `npm run bench:redirect -- --help` for flags.
 *
 * Seeds a workspace with --links links, then loads random valid codes with autocannon (in this
 * process) against `qrlink serve` in a child process and, in the same run, against a bare
 * node:http server that answers one fixed 302 (the ceiling), qrlink with short links routed
 * through Fastify, nginx `return 302` when installed, and qrlink --workers N. Every server is
 * a child process, so its CPU time can be read from /proc: CPU per request isolates the server
 * from the load generator sharing the cores. The servers run side by side and take turns
 * (--turn), so load from other processes on a shared machine drifts onto all of them alike.
 *
 * The workspace's tracking is off at first, so the servers are compared on the redirect path
 * alone. Then it is switched on through the API (the cache follows) and qrlink is measured with
 * tracked links, as links are by default: the analytics writer shares the process. Latency at
 * half the maximum rate is measured with an open-loop generator (paced-load.ts). Last, a server
 * holding --memory-links links reports its resident memory.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { pacedLoad } from './paced-load.js';
import {
  addLinks,
  destination,
  seedWorkspace,
  switchTracking,
  type Seed,
} from './redirect-seed.js';
import { freePort, MAIN_JS } from '../test/helpers/serve.js';
import {
  cpuUs,
  memory,
  nginxInstalled,
  startNginx,
  startServer,
  type ServerProcess,
} from './redirect-servers.js';

const HELP = `npm run bench:redirect -- [flags]
  --links N          links seeded for the throughput runs (default 100000)
  --duration S       seconds of load per server and measurement (default 10)
  --turn S           the servers take turns of S seconds within --duration (default 2)
  --warmup S         seconds of load on each server before it is measured (default 1)
  --connections N    load generator connections (default 32)
  --workers N        also run qrlink serve --workers N, without a target; 0 skips (default 2)
  --memory-links N   links held by the server whose memory is measured (default 1000000)
  --skip-memory      skip the memory scenario
  --skip-nginx       skip the nginx reference (skipped anyway when nginx is not installed)
  --keep             keep the scratch data folder`;

const { values: flags } = parseArgs({
  options: {
    links: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '10' },
    turn: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    workers: { type: 'string', default: '2' },
    'memory-links': { type: 'string', default: '1000000' },
    'skip-memory': { type: 'boolean', default: false },
    'skip-nginx': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(HELP);
  process.exit(0);
}

const count = (name: keyof typeof flags, min: number): number => {
  const value = Number(String(flags[name]).replaceAll('_', ''));
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be a whole number ≥ ${min}`);
  }
  return value;
};
const LINKS = count('links', 1);
const DURATION = count('duration', 1);
const TURN = count('turn', 1);
const ROUNDS = Math.max(1, Math.round(DURATION / TURN));
const WARMUP = count('warmup', 0);
const CONNECTIONS = count('connections', 1);
const WORKERS = count('workers', 0);
const MEMORY_LINKS = flags['skip-memory'] ? 0 : count('memory-links', 1);

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

/** What a phone's browser sends when it opens a scanned link (Safari on iOS). */
const BROWSER_HEADERS = {
  'user-agent':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 ' +
    '(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-GB,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
};

const log = (message: string) => console.error(`[${new Date().toISOString()}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Servers

function qrlinkEnv(seed: Seed, port: number): Record<string, string> {
  return {
    PORT: String(port),
    QRLINK_HOST: '127.0.0.1',
    QRLINK_DATA_DIR: seed.dataDir,
    QRLINK_SECRET: seed.secret,
    QRLINK_LOG_LEVEL: 'warn',
  };
}

/** `node dist/main.js serve`, as deployed. */
async function startQrlink(seed: Seed, workers = 1): Promise<ServerProcess> {
  const port = await freePort();
  return startServer({
    name: workers > 1 ? `qrlink --workers ${workers}` : 'qrlink',
    command: process.execPath,
    args: [MAIN_JS, 'serve', ...(workers > 1 ? ['--workers', String(workers)] : [])],
    env: qrlinkEnv(seed, port),
    port,
    probe: `/${seed.codes[0]}`,
    multiProcess: workers > 1,
  });
}

/** A bench entry in TypeScript, run by node with tsx's loader (so the pid is the server's). */
async function startEntry(name: string, file: string, env: Record<string, string>, probe: string) {
  const port = Number(env.PORT);
  return startServer({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(BENCH_DIR, file)],
    // tsx resolves from the working directory: the repository's.
    cwd: path.dirname(BENCH_DIR),
    env,
    port,
    probe,
    multiProcess: false,
  });
}

// ---------------------------------------------------------------------------------------------
// Load and measurement

/** One stretch of load against one server. */
interface Measured {
  /** Milliseconds per answered request. */
  latencies: number[];
  statuses: Record<string, number>;
  /** Connection errors, timeouts and unanswered requests. */
  errors: number;
  seconds: number;
  serverCpuUs: number;
  loadgenCpuUs: number;
}

interface Stats {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Everything but a 302, and requests without an answer. */
  errors: number;
  statuses: Record<string, number>;
  cpuPerRequestUs: number;
  loadgenCpuPerRequestUs: number;
}

type Load = Omit<Measured, 'serverCpuUs' | 'loadgenCpuUs'>;

/** autocannon, as fast as the server answers, each request to a random seeded code. */
async function maxRate(url: string, paths: readonly string[], seconds: number): Promise<Load> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: BROWSER_HEADERS,
    requests: [
      {
        setupRequest(request) {
          request.path = paths[Math.floor(Math.random() * paths.length)];
          return request;
        },
      },
    ],
  });
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    latencies.push(ms);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const elapsed = (performance.now() - t0) / 1000;
  return { latencies, statuses, errors: result.errors + result.timeouts, seconds: elapsed };
}

/** Runs the load and reads the server's CPU time (and this process's) around it. */
async function measure(server: ServerProcess, generate: () => Promise<Load>): Promise<Measured> {
  const pids = server.pids();
  const cpu0 = cpuUs(pids);
  const own0 = process.cpuUsage();
  const load = await generate();
  const own = process.cpuUsage(own0);
  return { ...load, serverCpuUs: cpuUs(pids) - cpu0, loadgenCpuUs: own.user + own.system };
}

const atMaxRate = (server: ServerProcess, paths: readonly string[], seconds: number) =>
  measure(server, () => maxRate(server.url, paths, seconds));

const atRate = (server: ServerProcess, paths: readonly string[], seconds: number, rate: number) =>
  measure(server, () =>
    pacedLoad({
      url: server.url,
      paths,
      seconds,
      rate,
      connections: CONNECTIONS,
      headers: BROWSER_HEADERS,
    }),
  );

function summarize(parts: readonly Measured[]): Stats {
  const sorted = Float64Array.from(parts.flatMap((p) => p.latencies)).sort();
  const at = (q: number) =>
    sorted.length === 0
      ? 0
      : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number);
  const statuses: Record<string, number> = {};
  for (const part of parts) {
    for (const [status, n] of Object.entries(part.statuses))
      statuses[status] = (statuses[status] ?? 0) + n;
  }
  const sum = (pick: (p: Measured) => number) => parts.reduce((total, p) => total + pick(p), 0);
  const requests = sorted.length;
  return {
    requests,
    rps: requests / sum((p) => p.seconds),
    p50: at(0.5),
    p99: at(0.99),
    errors: sum((p) => p.errors) + requests - (statuses['302'] ?? 0),
    statuses,
    cpuPerRequestUs: sum((p) => p.serverCpuUs) / requests,
    loadgenCpuPerRequestUs: sum((p) => p.loadgenCpuUs) / requests,
  };
}

/**
 * Every server in turn, ROUNDS times, TURN seconds each: load that other
 * processes put on the machine meanwhile drifts onto all of them alike.
 */
async function takeTurns(
  servers: readonly ServerProcess[],
  run: (server: ServerProcess, seconds: number) => Promise<Measured>,
): Promise<Map<ServerProcess, Stats>> {
  const parts = new Map<ServerProcess, Measured[]>(servers.map((s) => [s, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of servers) {
      log(`  ${server.name}, round ${round} of ${ROUNDS}`);
      parts.get(server)?.push(await run(server, TURN));
    }
  }
  const stats = new Map<ServerProcess, Stats>();
  for (const [server, measured] of parts) {
    const s = summarize(measured);
    stats.set(server, s);
    describe(server.name, s);
  }
  return stats;
}

function describe(name: string, s: Stats): void {
  log(
    `${name}: ${fmt(s.rps)} rps, p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms, ` +
      `${fmt(s.cpuPerRequestUs, 1)} µs CPU/request` +
      (s.errors ? `, ${fmt(s.errors)} errors (${JSON.stringify(s.statuses)})` : ''),
  );
}

/** Checks the Location of `sample` random codes against their seeded destinations. */
async function verify(server: ServerProcess, seed: Seed, sample: number): Promise<void> {
  for (let n = 0; n < sample; n++) {
    const i = Math.floor(Math.random() * seed.codes.length);
    const res = await fetch(`${server.url}/${seed.codes[i]}`, { redirect: 'manual' });
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status !== 302 || location !== destination(i)) {
      throw new Error(
        `${server.name}: /${seed.codes[i]} answered ${res.status} ${location}, want ${destination(i)}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// qrlink's own counters (/metrics)

const COUNTERS = [
  'qrlink_redirects_total',
  'qrlink_scan_events_written_total',
  'qrlink_scan_events_dropped_total',
  'qrlink_scan_queue_length',
  'qrlink_link_cache_entries',
  'nodejs_heap_size_used_bytes',
] as const;
type Counters = Record<(typeof COUNTERS)[number], number>;

async function counters(server: ServerProcess): Promise<Counters> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  return Object.fromEntries(COUNTERS.map((name) => [name, value(name)])) as Counters;
}

/**
 * Waits until the analytics writer has stored or dropped an event for every redirect answered
 * since `before`; returns the events dropped.
 */
async function drained(server: ServerProcess, before: Counters): Promise<number> {
  for (;;) {
    const now = await counters(server);
    const delta = (name: keyof Counters) => now[name] - before[name];
    const settled =
      delta('qrlink_scan_events_written_total') + delta('qrlink_scan_events_dropped_total');
    if (now.qrlink_scan_queue_length === 0 && settled >= delta('qrlink_redirects_total')) {
      return delta('qrlink_scan_events_dropped_total');
    }
    await sleep(100);
  }
}

/**
 * Switches the workspace's tracking through the API of `server`, then waits until requests to
 * it queue scan events (on) or stop queueing them (off): its cache followed the change.
 */
async function setTracking(seed: Seed, server: ServerProcess, track: boolean): Promise<void> {
  log(`switching the workspace’s tracking ${track ? 'on' : 'off'} through the API`);
  await switchTracking(server.url, seed, track);
  const recorded = (c: Counters) =>
    c.qrlink_scan_events_written_total +
    c.qrlink_scan_events_dropped_total +
    c.qrlink_scan_queue_length;
  for (let attempt = 0; attempt < 200; attempt++) {
    const before = recorded(await counters(server));
    await verify(server, seed, 20);
    await sleep(300);
    const events = recorded(await counters(server)) - before;
    if (track ? events >= 20 : events === 0) return;
  }
  throw new Error(`${server.name}: the tracking change did not reach the redirect cache`);
}

// ---------------------------------------------------------------------------------------------
// Phases

interface Row {
  name: string;
  stats: Stats | null;
  notes: string[];
}

interface MemoryRow {
  cached: number;
  startSeconds: number;
  rss: number;
  peak: number;
  /** V8 heap in use, garbage not yet collected included. */
  heap: number;
}

const maxRows: Row[] = [];
const halfRows: (Row & { rate: number })[] = [];
const memoryRows: MemoryRow[] = [];
/** The figures the targets compare. */
const compared: {
  bare?: Stats;
  qrlink?: Stats;
  tracked?: Stats;
  trackedCpuWithWritesUs?: number;
  viaFastify?: Stats;
} = {};

async function startMemoryRow(seed: Seed): Promise<ServerProcess> {
  const started = performance.now();
  const server = await startQrlink(seed);
  const startSeconds = (performance.now() - started) / 1000;
  await verify(server, seed, 200);
  const { rss, peak } = memory(server.pid);
  const c = await counters(server);
  const cached = c.qrlink_link_cache_entries;
  if (cached !== seed.codes.length) {
    throw new Error(`${cached} links cached, want ${seed.codes.length}`);
  }
  memoryRows.push({ cached, startSeconds, rss, peak, heap: c.nodejs_heap_size_used_bytes });
  log(`qrlink holds ${fmt(cached)} links: RSS ${mib(rss)} MiB (peak ${mib(peak)} MiB)`);
  return server;
}

/** The single-process servers, side by side; `started` collects them for stopping. */
async function startServers(seed: Seed, scratch: string, started: ServerProcess[]) {
  const bare = await startEntry(
    'bare node:http',
    'redirect-bare.ts',
    { PORT: String(await freePort()) },
    '/',
  );
  started.push(bare);
  const qrlink = await startMemoryRow(seed);
  started.push(qrlink);
  const env = qrlinkEnv(seed, await freePort());
  const viaFastify = await startEntry(
    'qrlink via Fastify',
    'redirect-fastify.ts',
    env,
    `/${seed.codes[0]}`,
  );
  started.push(viaFastify);
  await verify(viaFastify, seed, 200);
  let nginx: ServerProcess | string;
  if (flags['skip-nginx']) nginx = 'skipped (--skip-nginx)';
  else if (!nginxInstalled())
    nginx = 'skipped: nginx is not installed (apt-get install nginx-light)';
  else {
    const dir = path.join(scratch, 'nginx');
    mkdirSync(dir, { recursive: true });
    nginx = await startNginx(dir);
    started.push(nginx);
  }
  if (typeof nginx === 'string') log(`nginx ${nginx}`);
  return { bare, qrlink, viaFastify, nginx };
}

/** The redirect path alone (tracking off): every server at the maximum rate, then at half. */
async function compareServers(
  { bare, qrlink, viaFastify, nginx }: Awaited<ReturnType<typeof startServers>>,
  paths: readonly string[],
): Promise<void> {
  const servers = [bare, qrlink, viaFastify, ...(typeof nginx === 'string' ? [] : [nginx])];
  if (WARMUP > 0) {
    log(`warming up: ${WARMUP} s of load on each server`);
    for (const server of servers) await atMaxRate(server, paths, WARMUP);
  }
  log(`maximum rate, ${ROUNDS} turns of ${TURN} s per server`);
  const max = await takeTurns(servers, (server, seconds) => atMaxRate(server, paths, seconds));
  const rate = Math.round((max.get(qrlink) as Stats).rps / 2);
  log(`half of qrlink's maximum: ${fmt(rate)} rps, ${ROUNDS} turns of ${TURN} s per server`);
  const half = await takeTurns([bare, qrlink], (server, seconds) =>
    atRate(server, paths, seconds, rate),
  );
  Object.assign(compared, {
    bare: max.get(bare),
    qrlink: max.get(qrlink),
    viaFastify: max.get(viaFastify),
  });
  maxRows.push(
    { name: 'bare node:http, fixed 302 (the ceiling)', stats: max.get(bare) ?? null, notes: [] },
    { name: 'qrlink, tracking off (the redirect path)', stats: max.get(qrlink) ?? null, notes: [] },
    {
      name: 'qrlink, tracking off, via a Fastify route',
      stats: max.get(viaFastify) ?? null,
      notes: ['createApi instance without the API’s hooks'],
    },
    typeof nginx === 'string'
      ? { name: 'nginx, `return 302` (reference)', stats: null, notes: [nginx] }
      : {
          name: 'nginx, `return 302` (reference)',
          stats: max.get(nginx) ?? null,
          notes: ['master + 1 worker; its 302 carries a 145-byte HTML body'],
        },
  );
  halfRows.push(
    { name: 'bare node:http', rate, stats: half.get(bare) ?? null, notes: [] },
    { name: 'qrlink, tracking off', rate, stats: half.get(qrlink) ?? null, notes: [] },
  );
}

/**
 * qrlink with tracked links, as links are by default: the analytics writer shares the process.
 * Its CPU is also counted until every scan of the run is written.
 */
async function trackedLinks(seed: Seed, qrlink: ServerProcess, paths: readonly string[]) {
  await setTracking(seed, qrlink, true);
  log(`qrlink, links tracked: ${DURATION} s at the maximum rate`);
  const before = await counters(qrlink);
  const cpuBefore = cpuUs(qrlink.pids());
  const max = summarize([await atMaxRate(qrlink, paths, DURATION)]);
  describe('qrlink, links tracked', max);
  const dropped = await drained(qrlink, before);
  const withWrites = (cpuUs(qrlink.pids()) - cpuBefore) / max.requests;
  const rate = Math.round(max.rps / 2);
  log(`qrlink, links tracked: ${DURATION} s at ${fmt(rate)} rps`);
  const half = summarize([await atRate(qrlink, paths, DURATION, rate)]);
  describe('qrlink, links tracked, half rate', half);
  const droppedHalf = (await drained(qrlink, before)) - dropped;
  // The --workers run measures the redirect path, as the single process did.
  await setTracking(seed, qrlink, false);
  Object.assign(compared, { tracked: max, trackedCpuWithWritesUs: withWrites });
  maxRows.push({
    name: 'qrlink, links tracked (the default)',
    stats: max,
    notes: [
      'the analytics writer shares the process',
      `${fmt(withWrites, 1)} µs/request counting the writes of its scans after the load stopped`,
      `${fmt(dropped)} scan events dropped`,
    ],
  });
  halfRows.push({
    name: 'qrlink, links tracked',
    rate,
    stats: half,
    notes: [`${fmt(droppedHalf)} scan events dropped`],
  });
}

async function workersPhase(seed: Seed, paths: readonly string[]): Promise<void> {
  if (WORKERS === 0) return;
  const server = await startQrlink(seed, WORKERS);
  try {
    // Each request may reach another worker: every one holds the same links, untracked.
    await verify(server, seed, 200);
    if (WARMUP > 0) await atMaxRate(server, paths, WARMUP);
    log(`qrlink --workers ${WORKERS}: ${DURATION} s at the maximum rate`);
    const stats = summarize([await atMaxRate(server, paths, DURATION)]);
    describe(server.name, stats);
    maxRows.push({
      name: `qrlink --workers ${WORKERS}, tracking off`,
      stats,
      notes: [`CPU of the primary and its ${WORKERS} workers; no target`],
    });
  } finally {
    await server.stop();
  }
}

async function memoryPhase(seed: Seed): Promise<void> {
  if (MEMORY_LINKS === 0) return;
  const started = performance.now();
  await addLinks(seed, MEMORY_LINKS, (done) => log(`seeded ${fmt(done)} links`));
  log(
    `seeded ${fmt(MEMORY_LINKS)} links in ${fmt((performance.now() - started) / 1000, 1)} s; starting qrlink`,
  );
  const server = await startMemoryRow(seed);
  await server.stop();
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes: number) => fmt(bytes / 2 ** 20);
const verdict = (met: boolean) => (met ? 'met' : '**not met**');

function report(started: Date, loadAverages: number[][]): string {
  const cores = os.cpus();
  const lines: string[] = [
    `Machine: ${cores.length} × ${cores[0]?.model ?? 'cpu'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ` +
      `${os.platform()} ${os.release()}; Node ${process.version}; load average at start / end ` +
      `${loadAverages[0]?.map((l) => l.toFixed(2)).join(' ')} / ${loadAverages[1]?.map((l) => l.toFixed(2)).join(' ')}; ` +
      `started ${started.toISOString()}`,
    `Load: ${fmt(LINKS)} links, random valid codes, ${CONNECTIONS} keep-alive connections, ` +
      `${ROUNDS * TURN} s per server and measurement (${ROUNDS} turns of ${TURN} s, servers alternating; ` +
      `tracked links: one stretch of ${DURATION} s); autocannon 8 at the maximum rate`,
    '',
    '| at the maximum rate | rps | p50 ms | p99 ms | server CPU µs/request | load generator CPU µs/request | not 302 | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const { name, stats: s, notes } of maxRows) {
    lines.push(
      s
        ? `| ${name} | ${fmt(s.rps)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${fmt(s.cpuPerRequestUs, 1)} | ` +
            `${fmt(s.loadgenCpuPerRequestUs, 1)} | ${fmt(s.errors)} | ${notes.join('; ')} |`
        : `| ${name} | – | – | – | – | – | – | ${notes.join('; ')} |`,
    );
  }
  lines.push(
    '',
    '| at half the maximum rate (open loop) | rate asked | rps | p50 ms | p99 ms | server CPU µs/request | not 302 | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const { name, rate, stats: s, notes } of halfRows) {
    if (!s) continue;
    lines.push(
      `| ${name} | ${fmt(rate)} | ${fmt(s.rps)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ` +
        `${fmt(s.cpuPerRequestUs, 1)} | ${fmt(s.errors)} | ${notes.join('; ')} |`,
    );
  }
  if (memoryRows.length > 0) {
    lines.push(
      '',
      '| links held | start-up until the first redirect, s | RSS MiB | peak RSS MiB | V8 heap in use MiB |',
      '|---:|---:|---:|---:|---:|',
    );
    for (const m of memoryRows) {
      lines.push(
        `| ${fmt(m.cached)} | ${fmt(m.startSeconds, 1)} | ${mib(m.rss)} | ${mib(m.peak)} | ${mib(m.heap)} |`,
      );
    }
  }

  const { bare, qrlink, tracked, viaFastify, trackedCpuWithWritesUs = NaN } = compared;
  if (!bare || !qrlink || !tracked) return lines.join('\n');
  const throughput = (s: Stats) => s.rps / bare.rps;
  const cpu = (us: number) => us / bare.cpuPerRequestUs;
  lines.push('', 'Targets (issue 4 §7):');
  for (const [label, s, cpuUs] of [
    ['tracking off', qrlink, qrlink.cpuPerRequestUs],
    ['links tracked', tracked, tracked.cpuPerRequestUs],
    ['links tracked, counting the writes of its scans', tracked, trackedCpuWithWritesUs],
  ] as const) {
    lines.push(
      `- ${label}: throughput ${fmt(throughput(s), 3)}× the bare server's (≥ 0.85×: ${verdict(throughput(s) >= 0.85)}), ` +
        `CPU per request ${fmt(cpu(cpuUs), 3)}× (≤ 1.2×: ${verdict(cpu(cpuUs) <= 1.2)})`,
    );
  }
  for (const row of halfRows.filter((r) => r.name.startsWith('qrlink'))) {
    if (row.stats) {
      lines.push(
        `- p99 at half the maximum rate, ${row.name}: ${fmt(row.stats.p99, 3)} ms (< 2 ms: ${verdict(row.stats.p99 < 2)})`,
      );
    }
  }
  const million = memoryRows.find((m) => m.cached >= 1_000_000);
  if (million) {
    lines.push(
      `- RSS with ${fmt(million.cached)} links: ${mib(million.rss)} MiB (< 512 MiB: ${verdict(million.rss < 512 * 2 ** 20)})`,
    );
  }
  if (viaFastify) {
    lines.push(
      `- Fastify route against the node:http pre-dispatch (both tracking off): throughput ` +
        `${fmt(viaFastify.rps / qrlink.rps, 3)}×, CPU per request ` +
        `${fmt(viaFastify.cpuPerRequestUs / qrlink.cpuPerRequestUs, 3)}×`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

const started = new Date();
const loadAverages = [os.loadavg()];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'qrlink-bench-redirect-'));
try {
  log(`seeding ${fmt(LINKS)} links in ${scratch}`);
  const seed = await seedWorkspace(scratch, randomBytes(24).toString('hex'));
  await addLinks(seed, LINKS, (done) => log(`seeded ${fmt(done)} links`));
  const paths = seed.codes.map((code) => `/${code}`);
  const started: ServerProcess[] = [];
  try {
    const servers = await startServers(seed, scratch, started);
    await compareServers(servers, paths);
    await trackedLinks(seed, servers.qrlink, paths);
  } finally {
    for (const server of started) await server.stop();
  }
  await workersPhase(seed, paths);
  await memoryPhase(seed);
} finally {
  if (flags.keep) log(`kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
loadAverages.push(os.loadavg());
console.log(report(started, loadAverages));
mkdirSync('.bench', { recursive: true });
writeFileSync(
  path.join('.bench', 'redirect.json'),
  JSON.stringify({ flags, started, loadAverages, maxRows, halfRows, memoryRows }, null, 2),
);
