/**
 * Scan analytics benchmark (issue 5 §5): ingest throughput with rollups, chart query latency
 * and disk use, on SQLite and on PostgreSQL. `npm run bench:analytics -- --help` for flags.
 *
 * Ingest is the writer's own path: enrichEvent on each raw scan, then writeBatch (one
 * transaction: raw events, visitor-days, hourly and daily rollups, link counters) per batch.
 * Enrichment and writing are timed separately; end to end is their sum, as the writer runs
 * them one after the other. Generating the synthetic traffic is not timed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { pino } from 'pino';
import { ManualClock } from '../src/adapters/clock.js';
import { enrichEvent, openGeoDatabase, type EnrichedScan } from '../src/analytics/enrich/index.js';
import { analyticsFor } from '../src/analytics/queries.js';
import { aggregate, DAY_MS } from '../src/analytics/rollups.js';
import { analyticsStore } from '../src/analytics/store.js';
import { writeBatch } from '../src/analytics/writer.js';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { trafficGenerator, type BenchLink } from './analytics-traffic.js';
import { createScratchPostgres } from '../test/helpers/services.js';
import { createWorkspace } from './workspace.js';

const HELP = `npm run bench:analytics -- [flags]
  --dialect sqlite|postgres|both   default both
  --events N        events ingested and timed in batches of --batch (default 300000)
  --seed-events N   events in the workspace before the timed ingest, written first through
                    the same writeBatch in batches of --seed-batch (default 0)
  --batch N         timed ingest batch size (default 5000, the writer's)
  --seed-batch N    seeding batch size (default 50000)
  --links N         links in the workspace, Zipf popularity (default 1000)
  --days N          days the events are spread over, ending 2026-11-26T00:00Z (default 30)
  --queries N       timed runs per query scenario, function and HTTP each (default 50)
  --postgres URL    admin URL to create the scratch database
                    (default QRLINK_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --keep            keep the SQLite file and PostgreSQL database`;

const { values: flags } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'both' },
    events: { type: 'string', default: '300000' },
    'seed-events': { type: 'string', default: '0' },
    batch: { type: 'string', default: '5000' },
    'seed-batch': { type: 'string', default: '50000' },
    links: { type: 'string', default: '1000' },
    days: { type: 'string', default: '30' },
    queries: { type: 'string', default: '50' },
    postgres: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(HELP);
  process.exit(0);
}

const count = (name: keyof typeof flags): number => {
  const value = Number(String(flags[name]).replaceAll('_', ''));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be an integer`);
  return value;
};
const EVENTS = count('events');
const SEED_EVENTS = count('seed-events');
const BATCH = count('batch');
const SEED_BATCH = count('seed-batch');
const LINKS = count('links');
const DAYS = count('days');
const QUERIES = count('queries');
const END = Date.parse('2026-11-26T00:00:00Z');
const START = END - DAYS * DAY_MS;
const ADMIN_URL =
  flags.postgres ??
  process.env.QRLINK_TEST_POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const dialects = (flags.dialect === 'both' ? ['sqlite', 'postgres'] : [flags.dialect]).map((d) => {
  if (d !== 'sqlite' && d !== 'postgres') throw new Error(HELP);
  return d;
});

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface Result {
  dialect: string;
  version: string;
  ingest: {
    events: number;
    batches: number;
    enrichMs: number;
    writeMs: number;
    nodeCpuUs: number;
    dbCpuUs: number | null;
    rows: { hourly: number; daily: number };
  };
  seed: { events: number; ms: number };
  queries: Record<string, { fn: Percentiles; http: Percentiles; rows: number }>;
  disk: {
    total: number;
    raw: number;
    rollups: number;
    visitors: number;
    rows: Record<string, number>;
  };
}

const log = (message: string) => console.error(`[${new Date().toISOString()}] ${message}`);

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5) ?? 0, p95: at(0.95) ?? 0, p99: at(0.99) ?? 0, max: at(1) ?? 0 };
}

/** CPU time (µs) of the given processes, read from /proc: PostgreSQL backends on this host. */
function processCpuUs(pids: readonly number[]): number | null {
  const tick = 1_000_000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  try {
    for (const pid of pids) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      total += (Number(fields[11]) + Number(fields[12])) * tick;
    }
  } catch {
    return null;
  }
  return total;
}

async function startBenchApp(
  dialect: 'sqlite' | 'postgres',
  dataDir: string,
  pgUrl: string | null,
) {
  const clock = new ManualClock(START);
  const config = loadConfig({
    QRLINK_DATA_DIR: dataDir,
    QRLINK_HOST: '127.0.0.1',
    QRLINK_SECRET: randomBytes(24).toString('hex'),
    QRLINK_LOG_LEVEL: 'silent',
    ...(dialect === 'postgres' && pgUrl ? { QRLINK_DATABASE_URL: pgUrl } : {}),
  });
  const app = await buildApp(config, {
    clock,
    logger: pino({ level: 'silent' }),
    rateLimits: {
      api: { limit: 1_000_000, windowMs: 60_000 },
      auth: { limit: 1_000_000, windowMs: 60_000 },
    },
  });
  const url = await app.listen(0);
  return { app, url, clock };
}

/** Link i has popularity rank i and tag t(i mod 10): each tag holds LINKS/10 links. */
async function createLinks(url: string, key: string, workspaceId: string): Promise<BenchLink[]> {
  const links: BenchLink[] = [];
  for (let i = 0; i < LINKS; i++) {
    const res = await fetch(`${url}/api/v1/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ url: `https://example.com/p/${i}`, tags: [`t${i % 10}`] }),
    });
    if (res.status !== 201) throw new Error(`link ${i}: ${res.status} ${await res.text()}`);
    const link = (await res.json()) as { id: string; code: string };
    links.push({
      id: link.id,
      code: link.code,
      workspaceId,
      qrShare: 0.2 + (i % 8) / 10,
      rule: i % 10 === 3 ? 'ab' : i % 10 === 7 ? 'rules' : 'none',
      status: 302,
    });
  }
  return links;
}

async function postgresPids(app: App): Promise<number[]> {
  if (app.database.dialect !== 'postgres') return [];
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database()`.execute(app.ctx.db);
  return rows.map((r) => r.pid);
}

async function ingest(
  app: App,
  clock: ManualClock,
  links: BenchLink[],
  total: number,
  seedEvents: number,
) {
  const store = analyticsStore(app.database);
  const deps = { geo: await openGeoDatabase(null), salts: app.analytics.salts };
  const traffic = trafficGenerator({ links, events: total, start: START, spanMs: END - START });
  const result = {
    seed: { events: 0, ms: 0 },
    ingest: {
      events: 0,
      batches: 0,
      enrichMs: 0,
      writeMs: 0,
      nodeCpuUs: 0,
      dbCpuUs: 0 as number | null,
      rows: { hourly: 0, daily: 0 },
    },
  };
  let nextPrune = START + DAY_MS / 4;
  const seedStarted = performance.now();
  while (traffic.produced < total) {
    const seeding = traffic.produced < seedEvents;
    const size = seeding ? Math.min(SEED_BATCH, seedEvents - traffic.produced) : BATCH;
    const raws = traffic.next(size);
    const last = raws[raws.length - 1]?.time ?? END;
    // The writer's clock: salts live 48 h from their day, and the retention job prunes
    // visitor-day markers older than two days, as the scheduler does every hour.
    clock.set(last);
    if (last >= nextPrune) {
      await app.jobs.run('analytics-retention');
      nextPrune = last + DAY_MS / 4;
    }
    if (seeding) {
      await writeBatch(
        store,
        raws.map((raw) => enrichEvent(raw, deps)),
      );
      result.seed.events += raws.length;
      if (traffic.produced >= seedEvents) result.seed.ms = performance.now() - seedStarted;
      if (result.seed.events % (SEED_BATCH * 20) === 0) {
        log(`seeded ${result.seed.events.toLocaleString('en')} events`);
      }
      continue;
    }
    const pids = await postgresPids(app);
    const cpu0 = process.cpuUsage();
    const db0 = processCpuUs(pids);
    const t0 = performance.now();
    const enriched: EnrichedScan[] = raws.map((raw) => enrichEvent(raw, deps));
    const t1 = performance.now();
    await writeBatch(store, enriched);
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const db1 = processCpuUs(pids);
    const r = result.ingest;
    // Rows this batch upserted, counted outside the timing (visitor flags do not change it).
    const deltas = aggregate(enriched, new Set());
    r.rows.hourly += deltas.hourly.length;
    r.rows.daily += deltas.daily.length;
    r.events += raws.length;
    r.batches++;
    r.enrichMs += t1 - t0;
    r.writeMs += t2 - t1;
    r.nodeCpuUs += cpu.user + cpu.system;
    r.dbCpuUs = r.dbCpuUs === null || db0 === null || db1 === null ? null : r.dbCpuUs + db1 - db0;
    if (r.batches % 20 === 0) {
      log(
        `ingested ${r.events.toLocaleString('en')} events: ` +
          `${Math.round(r.events / ((r.enrichMs + r.writeMs) / 1000)).toLocaleString('en')} events/s`,
      );
    }
  }
  if (app.database.dialect === 'sqlite') result.ingest.dbCpuUs = null;
  result.ingest.rows.hourly /= Math.max(1, result.ingest.batches);
  result.ingest.rows.daily /= Math.max(1, result.ingest.batches);
  clock.set(END);
  await app.jobs.run('analytics-retention');
  deps.geo.close?.();
  return result;
}

async function rowCounts(app: App): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['scan_events', 'rollup_hourly', 'rollup_daily', 'visitor_days'] as const) {
    const row = await app.ctx.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

async function diskUse(app: App, dataDir: string): Promise<Result['disk']> {
  const rows = await rowCounts(app);
  const sizes: Record<string, number> = {};
  let total = 0;
  if (app.database.sqlite) {
    const sqlite = app.database.sqlite;
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const file = path.join(dataDir, 'qrlink.db');
    const fileSize = (suffix: string) => {
      try {
        return statSync(file + suffix).size;
      } catch {
        return 0;
      }
    };
    total = fileSize('') + fileSize('-wal');
    const stats = sqlite
      .prepare(
        `select coalesce(m.tbl_name, d.name) as tbl, sum(d.pgsize) as bytes
         from dbstat d left join sqlite_master m on m.name = d.name group by tbl`,
      )
      .all() as { tbl: string; bytes: number }[];
    for (const s of stats) sizes[s.tbl] = s.bytes;
  } else {
    total = Number(
      (
        await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(
          app.ctx.db,
        )
      ).rows[0]?.n,
    );
    for (const table of Object.keys(rows)) {
      const { rows: r } = await sql<{ n: string }>`
        select pg_total_relation_size(${table}::regclass) as n`.execute(app.ctx.db);
      sizes[table] = Number(r[0]?.n ?? 0);
    }
  }
  return {
    total,
    raw: sizes.scan_events ?? 0,
    rollups: (sizes.rollup_hourly ?? 0) + (sizes.rollup_daily ?? 0),
    visitors: sizes.visitor_days ?? 0,
    rows,
  };
}

/** One GET; retried once when the server had closed an idle keep-alive socket meanwhile. */
async function getAnalytics(target: string, key: string, retry = true): Promise<Response> {
  try {
    return await fetch(target, { headers: { authorization: `Bearer ${key}` } });
  } catch (error) {
    if (!retry) throw error;
    return getAnalytics(target, key, false);
  }
}

async function measureQueries(
  app: App,
  url: string,
  key: string,
  workspaceId: string,
  links: BenchLink[],
) {
  const from = new Date(END - 30 * DAY_MS).toISOString();
  const to = new Date(END).toISOString();
  const scenarios: [string, Record<string, string>][] = [
    ['workspace', {}],
    ['one link (most scanned)', { linkId: links[0]?.id ?? '' }],
    [`one tag (${Math.ceil(LINKS / 10)} links)`, { tag: 't0' }],
  ];
  const out: Result['queries'] = {};
  for (const [name, filter] of scenarios) {
    // interval defaults to day, as over HTTP below.
    const q = { ...filter, from, to, top: 10 };
    const fnSamples: number[] = [];
    const httpSamples: number[] = [];
    let rows = 0;
    const params = new URLSearchParams({ ...filter, from, to, interval: 'day', top: '10' });
    for (let i = 0; i < QUERIES + 5; i++) {
      const t0 = performance.now();
      const view = await analyticsFor(app.ctx.db, app.database.dialect, workspaceId, q, END);
      const t1 = performance.now();
      const res = await getAnalytics(`${url}/api/v1/analytics?${params}`, key);
      const body = (await res.json()) as { totals: { total: number } };
      const t2 = performance.now();
      if (res.status !== 200) throw new Error(`analytics: ${res.status} ${JSON.stringify(body)}`);
      if (body.totals.total !== view.totals.total) throw new Error('HTTP and function disagree');
      rows = view.totals.total;
      if (i < 5) continue; // warm-up
      fnSamples.push(t1 - t0);
      httpSamples.push(t2 - t1);
    }
    out[name] = { fn: percentiles(fnSamples), http: percentiles(httpSamples), rows };
  }
  return out;
}

async function runDialect(dialect: 'sqlite' | 'postgres'): Promise<Result> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qrlink-bench-'));
  const scratch =
    dialect === 'postgres' ? await createScratchPostgres(ADMIN_URL, 'qrlink_bench') : null;
  const pgUrl = scratch?.url ?? null;
  const { app, url, clock } = await startBenchApp(dialect, dataDir, pgUrl);
  try {
    const version =
      dialect === 'sqlite'
        ? `SQLite ${(app.database.sqlite?.prepare('select sqlite_version() as v').get() as { v: string }).v}`
        : ((await sql<{ v: string }>`select version() as v`.execute(app.ctx.db)).rows[0]?.v.split(
            ' on ',
          )[0] ?? 'PostgreSQL');
    log(`${dialect}: ${version}; creating workspace and ${LINKS} links`);
    const { workspaceId, key } = await createWorkspace(url, ['links:write', 'analytics:read']);
    const links = await createLinks(url, key, workspaceId);
    const total = SEED_EVENTS + EVENTS;
    log(`${dialect}: writing ${total.toLocaleString('en')} events`);
    const { seed, ingest: ingested } = await ingest(app, clock, links, total, SEED_EVENTS);
    log(`${dialect}: measuring queries`);
    const queries = await measureQueries(app, url, key, workspaceId, links);
    const all = queries.workspace?.rows ?? 0;
    if (all !== total) throw new Error(`workspace total ${all} ≠ ${total} events written`);
    log(`${dialect}: measuring disk`);
    const disk = await diskUse(app, dataDir);
    return { dialect, version, ingest: ingested, seed, queries, disk };
  } finally {
    await app.close();
    if (!flags.keep) {
      rmSync(dataDir, { recursive: true, force: true });
      await scratch?.drop();
    } else {
      log(`kept ${dialect === 'sqlite' ? dataDir : pgUrl}`);
    }
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const rate = (events: number, ms: number) => (ms > 0 ? fmt(events / (ms / 1000)) : '–');
const mb = (bytes: number) => fmt(bytes / 1e6, 1);

function report(results: Result[], started: Date, load: number[][]) {
  const cpu = os.cpus();
  const lines: string[] = [];
  lines.push(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ` +
      `${os.platform()} ${os.release()}; Node ${process.version}; ` +
      `load average at start/end ${load[0]?.map((l) => l.toFixed(2)).join(' ')} / ` +
      `${load[1]?.map((l) => l.toFixed(2)).join(' ')}; started ${started.toISOString()}`,
  );
  lines.push(
    `Workspace: ${fmt(LINKS)} links (Zipf s=1), ${fmt(SEED_EVENTS + EVENTS)} events over ${DAYS} days ` +
      `(${fmt(SEED_EVENTS)} seeded in batches of ${fmt(SEED_BATCH)}, then ${fmt(EVENTS)} timed in batches of ${fmt(BATCH)})`,
  );
  lines.push('');
  lines.push('| | ' + results.map((r) => `${r.dialect} (${r.version})`).join(' | ') + ' |');
  lines.push('|---|' + results.map(() => '---:').join('|') + '|');
  const row = (label: string, cell: (r: Result) => string) =>
    lines.push(`| ${label} | ${results.map(cell).join(' | ')} |`);
  const i = (r: Result) => r.ingest;
  row(
    '**Ingest, end to end** (enrich + writeBatch), events/s',
    (r) => `**${rate(i(r).events, i(r).enrichMs + i(r).writeMs)}**`,
  );
  row('Enrichment only, events/s', (r) => rate(i(r).events, i(r).enrichMs));
  row('writeBatch only, events/s', (r) => rate(i(r).events, i(r).writeMs));
  row('Node CPU per event (enrich + write), µs', (r) => fmt(i(r).nodeCpuUs / i(r).events, 1));
  row('Database server CPU per event, µs', (r) =>
    i(r).dbCpuUs === null ? 'in process' : fmt((i(r).dbCpuUs as number) / i(r).events, 1),
  );
  row(
    'Rollup rows upserted per batch (hourly / daily)',
    (r) => `${fmt(i(r).rows.hourly)} / ${fmt(i(r).rows.daily)}`,
  );
  row(`Seeding (batches of ${fmt(SEED_BATCH)}), events/s`, (r) =>
    r.seed.events ? rate(r.seed.events, r.seed.ms) : '–',
  );
  for (const name of Object.keys(results[0]?.queries ?? {})) {
    row(`30-day chart + top-10, ${name}: function p50 / p95 / p99, ms`, (r) => {
      const q = r.queries[name]?.fn;
      return q ? `${fmt(q.p50, 1)} / **${fmt(q.p95, 1)}** / ${fmt(q.p99, 1)}` : '–';
    });
    row(`30-day chart + top-10, ${name}: HTTP p50 / p95 / p99, ms`, (r) => {
      const q = r.queries[name]?.http;
      return q ? `${fmt(q.p50, 1)} / **${fmt(q.p95, 1)}** / ${fmt(q.p99, 1)}` : '–';
    });
  }
  const perM = (r: Result, bytes: number) => mb(bytes / ((SEED_EVENTS + EVENTS) / 1e6));
  row('Disk per million events: raw events (table + indexes), MB', (r) => perM(r, r.disk.raw));
  row('Disk per million events: rollups (hourly + daily), MB', (r) => perM(r, r.disk.rollups));
  row('Disk per million events: visitor-day markers (2 days kept), MB', (r) =>
    perM(r, r.disk.visitors),
  );
  row('Disk total (SQLite file + WAL after checkpoint / pg_database_size), MB', (r) =>
    mb(r.disk.total),
  );
  row('Rows: raw / hourly / daily / visitor-days', (r) =>
    ['scan_events', 'rollup_hourly', 'rollup_daily', 'visitor_days']
      .map((t) => fmt(r.disk.rows[t] ?? 0))
      .join(' / '),
  );
  return lines.join('\n');
}

const started = new Date();
const load = [os.loadavg()];
const results: Result[] = [];
for (const dialect of dialects) results.push(await runDialect(dialect));
load.push(os.loadavg());
const table = report(results, started, load);
console.log(table);
mkdirSync('.bench', { recursive: true });
writeFileSync(
  path.join('.bench', 'analytics.json'),
  JSON.stringify({ flags, started, load, results }, null, 2),
);
// The app's HTTP client pool and timers may linger; the results are written.
process.exit(0);
