import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WriteHealth } from '../db/write-health.js';
import type { RedirectCounters } from '../redirect/handler.js';

/** One registry per app instance (tests run several in one process). */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  stop(): void;
}

export function createMetrics(
  poolStats: () => { total: number; idle: number; waiting: number },
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  new Gauge({
    name: 'qrlink_event_loop_lag_p99_seconds',
    help: 'Event-loop delay, 99th percentile since the last scrape',
    registers: [registry],
    collect() {
      this.set(loop.percentile(99) / 1e9);
      loop.reset();
    },
  });
  new Gauge({
    name: 'qrlink_db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = poolStats();
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  return {
    registry,
    httpRequests: new Counter({
      name: 'qrlink_http_requests_total',
      help: 'HTTP requests answered by the API, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'qrlink_http_request_duration_seconds',
      help: 'API request latency by route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    stop: () => loop.disable(),
  };
}

export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths would explode label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });
}

interface RedirectStats {
  queue: { size: number; dropped: number; accepted: number; capacity: number };
  cache: { size: number; misses: number };
  counters: RedirectCounters;
}

/** Hot-path numbers are plain counters; they become metrics only when /metrics is scraped. */
export function registerRedirectMetrics(
  metrics: Metrics,
  redirect: RedirectStats,
  writer: { stats: { written: number; duplicates: number; failedBatches: number } },
): void {
  const registers = [metrics.registry];
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  counter(
    'qrlink_redirects_total',
    'Short-link requests answered with a redirect',
    () => redirect.counters.redirects,
  );
  counter(
    'qrlink_redirect_not_found_total',
    'Short-link requests for unknown codes',
    () => redirect.counters.notFound,
  );
  counter(
    'qrlink_redirect_throttled_total',
    'Short-link misses answered 429 by the per-client enumeration throttle',
    () => redirect.counters.throttled,
  );
  counter(
    'qrlink_redirect_unavailable_total',
    'Short-link requests answered 503 (store unreachable)',
    () => redirect.counters.unavailable,
  );
  counter(
    'qrlink_redirect_pages_total',
    'Short-link requests answered with a page (password, expired, …)',
    () => redirect.counters.pages,
  );
  counter(
    'qrlink_link_cache_misses_total',
    'Link lookups that went to the store',
    () => redirect.cache.misses,
  );
  gauge('qrlink_link_cache_entries', 'Active links held in memory', () => redirect.cache.size);
  gauge(
    'qrlink_scan_queue_length',
    'Scan events waiting for the analytics writer',
    () => redirect.queue.size,
  );
  gauge(
    'qrlink_scan_queue_capacity',
    'Capacity of the scan event queue',
    () => redirect.queue.capacity,
  );
  counter(
    'qrlink_scan_events_dropped_total',
    'Scan events dropped because the queue was full',
    () => redirect.queue.dropped,
  );
  counter(
    'qrlink_scan_events_written_total',
    'Scan events stored by the analytics writer',
    () => writer.stats.written,
  );
  counter(
    'qrlink_scan_events_duplicate_total',
    'Re-delivered scan events ignored by id',
    () => writer.stats.duplicates,
  );
  counter(
    'qrlink_analytics_failed_batches_total',
    'Analytics batches that failed and were retried',
    () => writer.stats.failedBatches,
  );
}

/** Whether the database takes writes, and the failed writes seen, by cause. */
export function registerWriteHealthMetrics(metrics: Metrics, writes: WriteHealth): void {
  new Gauge({
    name: 'qrlink_db_writable',
    help: '1 while the database takes writes, 0 while it refuses them (disk full, read-only, …)',
    registers: [metrics.registry],
    collect() {
      this.set(writes.state.writable ? 1 : 0);
    },
  });
  new Counter({
    name: 'qrlink_db_write_failures_total',
    help: 'Writes refused by the database (requests, analytics batches, probes), by cause',
    labelNames: ['cause'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [cause, count] of writes.failures) this.inc({ cause }, count);
    },
  });
}
