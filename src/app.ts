import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { accountsService } from './accounts/service.js';
import { accountRoutes } from './accounts/routes.js';
import { pruneExpiredCredentials } from './accounts/repo.js';
import { pruneLoginFailures } from './accounts/throttle.js';
import { systemClock, type Clock } from './adapters/clock.js';
import { memoryLimiter, type Limiter } from './adapters/limiter.js';
import { redisLimiter } from './adapters/redis-limiter.js';
import { logMailer, smtpMailer, type Mailer } from './adapters/mail.js';
import { apiKeyRoutes } from './api-keys/routes.js';
import { auditRoutes } from './audit/routes.js';
import type { Config } from './config/index.js';
import type { AppContext } from './context.js';
import {
  migrateToLatest,
  openDatabase,
  sqliteFileFor,
  type Database,
  type MigrationReport,
} from './db/index.js';
import { driverErrorCode, watchWrites, writeFailureCause } from './db/write-health.js';
import { AppError } from './errors.js';
import { registerAuth, registerAuthorization } from './http/auth.js';
import { clientIpResolver } from './http/client-ip.js';
import { registerCsrf } from './http/csrf.js';
import { pruneIdempotencyKeys, registerIdempotency } from './http/idempotency.js';
import {
  createMetrics,
  registerHttpMetrics,
  registerRedirectMetrics,
  registerWriteHealthMetrics,
} from './http/metrics.js';
import { DEFAULT_RATE_LIMITS, registerRateLimit, type ApiBudget } from './http/rate-limit.js';
import { createApi, type Api } from './http/server.js';
import { systemRoutes } from './http/system-routes.js';
import { pageRoutes } from './http/page-routes.js';
import { firstPathSegments, routeTable } from './http/route-table.js';
import { loadServerSecret } from './secret.js';
import { workspaceRoutes } from './workspaces/routes.js';
import { dnsResolver, type TxtResolver } from './adapters/dns.js';
import { domainRoutes } from './domains/routes.js';
import { domainsService, type DomainsService } from './domains/service.js';
import {
  countPasswordAttempt,
  forgivePasswordAttempt,
  prunePasswordAttempts,
} from './links/repo.js';
import { linkRoutes } from './links/routes.js';
import { codeKey, type ReservedCodes } from './links/codes.js';
import { moveLinksOffReservedCodes } from './links/jobs.js';
import { destinationChecker } from './links/service.js';
import { createRedirectEngine, type RedirectEngine } from './redirect/engine.js';
import type { MissBudget } from './redirect/miss-throttle.js';
import { PASSWORD_ATTEMPT_WINDOW_MS } from './redirect/password-gate.js';
import { isHumanRequest, visitorSources } from './redirect/visitor-sources.js';
import { openGeoDatabase } from './analytics/enrich/geoip.js';
import { DailySaltStore } from './analytics/enrich/visitor.js';
import { pruneAnalytics } from './analytics/jobs.js';
import { LiveFeed } from './analytics/live.js';
import { liveStreams } from './analytics/live-streams.js';
import { analyticsRoutes } from './analytics/routes.js';
import { startAnalyticsWriter, type AnalyticsWriter } from './analytics/writer.js';
import { loadPlanCatalogue } from './billing/plans.js';
import { Entitlements } from './billing/entitlements.js';
import { billingProcessor, type BillingProcessor } from './billing/processor.js';
import { billingRoutes } from './billing/routes.js';
import { stripeClient, stripePayments } from './adapters/payments.js';
import type Stripe from 'stripe';
import { pruneChanges } from './db/changes.js';
import { startScheduler } from './scheduler.js';

/** How long in-flight requests may take to finish at shutdown before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface AppOverrides {
  clock?: Clock;
  mailer?: Mailer;
  limiter?: Limiter;
  logger?: FastifyBaseLogger;
  database?: Database;
  rateLimits?: typeof DEFAULT_RATE_LIMITS;
  resolver?: TxtResolver;
  /** Misses per client before the redirect answers 429 (RED-09); tests that probe many codes raise it. */
  missBudget?: MissBudget;
  /** Analytics writer batching (tests use small intervals). */
  writer?: { intervalMs?: number; batchSize?: number };
  queueCapacity?: number;
  liveHeartbeatMs?: number;
  /** A Stripe SDK client (tests point it at a local stand-in of the API). */
  stripe?: Stripe;
  /** Daily salts shared with other processes (`serve --workers N` hands in the primary's). */
  salts?: DailySaltStore;
}

export interface App {
  readonly ctx: AppContext;
  readonly api: Api;
  readonly server: Server;
  readonly database: Database;
  readonly redirect: RedirectEngine;
  readonly analytics: { writer: AnalyticsWriter; live: LiveFeed; salts: DailySaltStore };
  readonly jobs: { run(name: string): Promise<void> };
  readonly billing: { entitlements: Entitlements; processor: BillingProcessor | null };
  readonly domains: DomainsService;
  /** Code keys the server's own paths take (from the route table). */
  readonly reservedCodes: ReservedCodes;
  /** Listens on the configured port (or the given one, 0 = random); resolves to the base URL. */
  listen(port?: number): Promise<string>;
  /** Graceful stop: no new connections, in-flight requests finish, then flush and close. */
  close(): Promise<void>;
}

export function createLogger(level: Config['logLevel']): FastifyBaseLogger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        '*.key',
      ],
      censor: '[redacted]',
    },
  });
}

/** Each workspace's API budget, its plan's figure, remembered for 10 s per workspace. */
function apiBudget(entitlements: Entitlements, db: AppContext['db'], now: () => number): ApiBudget {
  const cache = new Map<string, { budget: number; until: number }>();
  return async (workspaceId: string): Promise<number> => {
    const hit = cache.get(workspaceId);
    if (hit && hit.until > now()) return hit.budget;
    const { plan } = await entitlements.current(db, workspaceId);
    if (cache.size > 10_000) cache.clear();
    cache.set(workspaceId, { budget: plan.limits.apiRequestsPerMinute, until: now() + 10_000 });
    return plan.limits.apiRequestsPerMinute;
  };
}

/** Why the configured database cannot be used, naming the variable that points at it. */
function databaseUnreachable(config: Config, err: unknown): AppError {
  const cause =
    err instanceof Error ? err.message || String((err as { code?: unknown }).code) : String(err);
  if (!config.db.postgresUrl) {
    const file = sqliteFileFor(config.db.dataDir);
    return new AppError(
      'service_unavailable',
      `cannot open the SQLite database ${file} (QRLINK_DATA_DIR): ${cause}`,
      { cause: err },
    );
  }
  const url = new URL(config.db.postgresUrl);
  const password = decodeURIComponent(url.password);
  const reason = password ? cause.replaceAll(password, '[redacted]') : cause;
  return new AppError(
    'service_unavailable',
    `cannot connect to PostgreSQL at ${url.hostname}:${url.port || 5432} (QRLINK_DATABASE_URL): ${reason}`,
    { cause: err },
  );
}

/** The database the configuration names (PostgreSQL, or SQLite in the data folder). */
export function openConfiguredDatabase(config: Config): Database {
  try {
    return openDatabase({
      postgresUrl: config.db.postgresUrl,
      sqliteFile: sqliteFileFor(config.db.dataDir),
    });
  } catch (err) {
    throw databaseUnreachable(config, err);
  }
}

/**
 * Applies pending migrations once the database answers; one that does not is reported naming
 * its variable and address (never the password), not as a failed migration.
 */
export async function migrateDatabase(
  config: Config,
  database: Database,
): Promise<MigrationReport> {
  try {
    await database.ping();
  } catch (err) {
    throw databaseUnreachable(config, err);
  }
  return migrateToLatest(database);
}

/** What a failed start has set going, undone in reverse so nothing keeps the process alive. */
type Undo = (() => unknown)[];

/** The composition root: the one place that picks implementations and wires domains. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const undo: Undo = [];
  try {
    return await assembleApp(config, overrides, undo);
  } catch (err) {
    for (const step of undo.reverse()) {
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    }
    throw err;
  }
}

async function assembleApp(config: Config, overrides: AppOverrides, undo: Undo): Promise<App> {
  const log = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const database = overrides.database ?? openConfiguredDatabase(config);
  undo.push(() => database.close());
  await migrateDatabase(config, database);

  const ctx: AppContext = {
    config,
    db: database.db,
    dialect: database.dialect,
    clock,
    secret: loadServerSecret(config.secret, config.db.dataDir),
    mailer:
      overrides.mailer ??
      (config.mail.smtpUrl ? smtpMailer(config.mail.smtpUrl, config.mail.from) : logMailer(log)),
    limiter:
      overrides.limiter ??
      (config.redisUrl
        ? redisLimiter({
            url: config.redisUrl,
            prefix: config.redisPrefix,
            now: () => clock.now(),
            onFallback: (err) =>
              log.warn({ err }, 'Redis unavailable: rate limits counted in this process'),
          })
        : memoryLimiter(() => clock.now())),
    log,
  };
  undo.push(
    () => ctx.limiter.close(),
    () => ctx.mailer.close(),
  );

  const resolveClientIp = clientIpResolver(config.http.trustedProxies);
  const writes = watchWrites(database.db, log);
  const metrics = createMetrics(() => database.poolStats());
  undo.push(() => metrics.stop());
  registerWriteHealthMetrics(metrics, writes);
  const now = () => clock.now();
  const geo = await openGeoDatabase(config.geoipDb);
  undo.push(() => geo.close?.());
  const salts = overrides.salts ?? new DailySaltStore({ now });
  const live = new LiveFeed();
  const plans = loadPlanCatalogue(config.plans.file, config.plans.stripePrices, [
    config.plans.defaultPlan,
  ]);
  const entitlements = new Entitlements(plans, config.plans.graceDays * 86_400_000, now);
  const stripe =
    config.stripe.secretKey && config.stripe.webhookSecret
      ? (() => {
          const payments = stripePayments(
            overrides.stripe ?? stripeClient(config.stripe.secretKey),
            config.stripe.webhookSecret,
          );
          return { payments, processor: billingProcessor(ctx, plans, payments) };
        })()
      : null;
  // Filled from the route table once every route is registered, before the server listens.
  const reservedCodes = new Set<string>();
  const redirect = createRedirectEngine(ctx, {
    clientIp: resolveClientIp,
    visitor: visitorSources(geo, salts, now),
    isHuman: isHumanRequest,
    queueCapacity: overrides.queueCapacity,
    missBudget: overrides.missBudget,
    reserved: reservedCodes,
    passwordAttempts: {
      count: (key, time, windowMs) => countPasswordAttempt(ctx.db, key, time, windowMs),
      forgive: (key, windowStart) => forgivePasswordAttempt(ctx.db, key, windowStart),
    },
  });
  let server: Server | undefined;
  const api = await createApi({
    logger: log,
    bodyLimit: config.http.bodyLimit,
    publicOrigin: config.http.baseUrl.origin,
    serverFactory: (handler) => {
      // The composition root decides: short links go to the redirect engine, the rest to Fastify.
      server = createServer((req: IncomingMessage, res: ServerResponse) => {
        if (!redirect.handle(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = 65_000;
      return server;
    },
  });
  undo.push(() => api.close());
  api.decorateRequest('clientIp', '');
  api.addHook('onRequest', async (request) => {
    request.clientIp = resolveClientIp(
      request.raw.socket.remoteAddress ?? '',
      request.headers['x-forwarded-for'],
    );
  });
  const accounts = accountsService(ctx);
  registerCsrf(api, config.http.baseUrl.origin);
  registerAuth(api, ctx, accounts);
  registerRateLimit(
    api,
    ctx.limiter,
    overrides.rateLimits ?? DEFAULT_RATE_LIMITS,
    now,
    apiBudget(entitlements, ctx.db, now),
  );
  registerAuthorization(api);
  registerIdempotency(api, ctx.db, () => clock.now(), ctx.secret);
  registerHttpMetrics(api, metrics);
  api.addHook('onError', async (_request, _reply, err) => {
    const cause = writeFailureCause(err);
    if (cause) writes.failed(cause, driverErrorCode(err), 'api', err.message);
  });

  systemRoutes(api, database, writes, metrics, config.http.metricsToken);
  pageRoutes(api);
  accountRoutes(api, ctx, accounts);
  workspaceRoutes(api, ctx, entitlements);
  apiKeyRoutes(api, ctx);
  auditRoutes(api, ctx);
  linkRoutes(api, ctx, redirect.directory, entitlements, reservedCodes, (ip) => geo.country(ip));
  const domains = domainsService(
    ctx,
    overrides.resolver ?? dnsResolver(config.dnsServers),
    redirect.directory,
    destinationChecker(redirect.directory),
    entitlements,
  );
  domainRoutes(api, ctx, domains);
  const streams = liveStreams(ctx);
  analyticsRoutes(api, ctx, live, entitlements, {
    streams,
    heartbeatMs: overrides.liveHeartbeatMs,
  });
  billingRoutes(api, ctx, entitlements, stripe);
  await api.ready();
  // Every path the server answers is off limits to short codes, on every domain.
  for (const segment of firstPathSegments(routeTable(api))) reservedCodes.add(codeKey(segment));
  await moveLinksOffReservedCodes(ctx, reservedCodes);
  undo.push(() => redirect.stop());
  await database.scanning(() => redirect.start());
  // Webhooks received before a crash or restart are applied now.
  void stripe?.processor.drain();
  const writer = startAnalyticsWriter(
    ctx,
    redirect.queue,
    { database, geoipDb: config.geoipDb, salts, live, writes },
    overrides.writer,
  );
  undo.push(() => writer.stop());
  registerRedirectMetrics(metrics, redirect, writer);
  const scheduler = startScheduler(
    [
      {
        name: 'analytics-retention',
        everyMs: 3600_000,
        run: () => pruneAnalytics(ctx, () => entitlements.retentionByWorkspace(ctx.db)),
      },
      { name: 'salt-prune', everyMs: 600_000, run: async () => salts.prune(now()) },
      {
        name: 'idempotency-prune',
        everyMs: 3600_000,
        run: () => pruneIdempotencyKeys(ctx.db, now()),
      },
      {
        name: 'credentials-prune',
        everyMs: 3600_000,
        run: async () => ({
          ...(await pruneExpiredCredentials(ctx.db, now())),
          loginFailures: await pruneLoginFailures(ctx.db, now()),
          passwordAttempts: await prunePasswordAttempts(ctx.db, now() - PASSWORD_ATTEMPT_WINDOW_MS),
        }),
      },
      {
        name: 'change-log-prune',
        everyMs: 3600_000,
        run: () => pruneChanges(ctx.db, now() - 86_400_000),
      },
      { name: 'domain-recheck', everyMs: 3600_000, run: () => domains.recheckAll() },
      ...(stripe
        ? [
            { name: 'billing-events', everyMs: 60_000, run: () => stripe.processor.drain() },
            {
              name: 'billing-reconcile',
              everyMs: 86_400_000,
              run: () => stripe.processor.reconcile(),
            },
          ]
        : []),
    ],
    log,
  );

  const httpServer = server as unknown as Server;
  let closed = false;
  return {
    ctx,
    api,
    server: httpServer,
    database,
    redirect,
    analytics: { writer, live, salts },
    jobs: scheduler,
    billing: { entitlements, processor: stripe?.processor ?? null },
    domains,
    reservedCodes,
    async listen(port = config.http.port) {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, config.http.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Stop accepting; idle keep-alive connections close now, busy ones once answered. We call
      // listen() on the server ourselves, so Fastify's close() would leave it open.
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // Live streams never finish by themselves: ended now, not cut after the grace period.
      await streams.closeAll();
      httpServer.closeIdleConnections();
      const force = setTimeout(() => httpServer.closeAllConnections(), SHUTDOWN_GRACE_MS);
      force.unref();
      await api.close();
      await stopped;
      clearTimeout(force);
      await scheduler.stop();
      await redirect.stop();
      // Every scan answered before the close is written: 0 lost on SIGTERM.
      await writer.stop();
      geo.close?.();
      metrics.stop();
      writes.stop();
      ctx.mailer.close();
      await ctx.limiter.close();
      await database.close();
    },
  };
}
