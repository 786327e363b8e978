import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { accountsService } from './accounts/service.js';
import { accountRoutes } from './accounts/routes.js';
import { systemClock, type Clock } from './adapters/clock.js';
import { memoryLimiter, type Limiter } from './adapters/limiter.js';
import { logMailer, smtpMailer, type Mailer } from './adapters/mail.js';
import { apiKeyRoutes } from './api-keys/routes.js';
import { auditRoutes } from './audit/routes.js';
import type { Config } from './config/index.js';
import type { AppContext } from './context.js';
import { migrateToLatest, openDatabase, sqliteFileFor, type Database } from './db/index.js';
import { registerAuth } from './http/auth.js';
import { clientIpResolver } from './http/client-ip.js';
import { registerCsrf } from './http/csrf.js';
import { pruneIdempotencyKeys, registerIdempotency } from './http/idempotency.js';
import { createMetrics, registerHttpMetrics, registerRedirectMetrics } from './http/metrics.js';
import { DEFAULT_RATE_LIMITS, registerRateLimit } from './http/rate-limit.js';
import { createApi, type Api } from './http/server.js';
import { systemRoutes } from './http/system-routes.js';
import { loadServerSecret } from './secret.js';
import { workspaceRoutes } from './workspaces/routes.js';
import { dnsResolver, type TxtResolver } from './adapters/dns.js';
import { domainRoutes } from './domains/routes.js';
import { domainsService } from './domains/service.js';
import { linkRoutes } from './links/routes.js';
import { destinationChecker } from './links/service.js';
import { createRedirectEngine, type RedirectEngine } from './redirect/engine.js';
import { isHumanRequest, visitorSources } from './redirect/visitor-sources.js';
import { openGeoDatabase, type GeoLookup } from './analytics/enrich/geoip.js';
import { DailySaltStore } from './analytics/enrich/visitor.js';
import { pruneAnalytics } from './analytics/jobs.js';
import { LiveFeed } from './analytics/live.js';
import { analyticsRoutes } from './analytics/routes.js';
import { analyticsStore } from './analytics/store.js';
import { startAnalyticsWriter, type AnalyticsWriter } from './analytics/writer.js';
import { DEFAULT_PLANS, PlanCatalogue } from './billing/plans.js';
import { pruneChanges } from './db/changes.js';
import { startScheduler } from './scheduler.js';

export interface AppOverrides {
  clock?: Clock;
  mailer?: Mailer;
  limiter?: Limiter;
  logger?: FastifyBaseLogger;
  database?: Database;
  rateLimits?: typeof DEFAULT_RATE_LIMITS;
  resolver?: TxtResolver;
  geo?: GeoLookup;
  /** Analytics writer batching (tests use small intervals). */
  writer?: { intervalMs?: number; batchSize?: number };
  queueCapacity?: number;
  liveHeartbeatMs?: number;
}

export interface App {
  readonly ctx: AppContext;
  readonly api: Api;
  readonly server: Server;
  readonly database: Database;
  readonly redirect: RedirectEngine;
  readonly analytics: { writer: AnalyticsWriter; live: LiveFeed; salts: DailySaltStore };
  readonly jobs: { run(name: string): Promise<void> };
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

/** The composition root: the one place that picks implementations and wires domains. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const database =
    overrides.database ??
    openDatabase({
      postgresUrl: config.db.postgresUrl,
      sqliteFile: sqliteFileFor(config.db.dataDir),
    });
  await migrateToLatest(database);

  const ctx: AppContext = {
    config,
    db: database.db,
    dialect: database.dialect,
    clock,
    secret: loadServerSecret(config.secret, config.db.dataDir),
    mailer:
      overrides.mailer ??
      (config.mail.smtpUrl ? smtpMailer(config.mail.smtpUrl, config.mail.from) : logMailer(log)),
    limiter: overrides.limiter ?? memoryLimiter(() => clock.now()),
    log,
  };

  const resolveClientIp = clientIpResolver(config.http.trustedProxies);
  const metrics = createMetrics(() => database.poolStats());
  const now = () => clock.now();
  const geo = overrides.geo ?? (await openGeoDatabase(config.geoipDb));
  const salts = new DailySaltStore({ now });
  const live = new LiveFeed();
  const plans = new PlanCatalogue(DEFAULT_PLANS);
  const redirect = createRedirectEngine(ctx, {
    clientIp: resolveClientIp,
    visitor: visitorSources(geo, salts, now),
    isHuman: isHumanRequest,
    queueCapacity: overrides.queueCapacity,
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
  registerRateLimit(api, ctx.limiter, overrides.rateLimits ?? DEFAULT_RATE_LIMITS, () =>
    clock.now(),
  );
  registerIdempotency(api, ctx.db, () => clock.now());
  registerHttpMetrics(api, metrics);

  systemRoutes(api, database, metrics);
  accountRoutes(api, ctx, accounts);
  workspaceRoutes(api, ctx);
  apiKeyRoutes(api, ctx);
  auditRoutes(api, ctx);
  linkRoutes(api, ctx, redirect.directory);
  const domains = domainsService(
    ctx,
    overrides.resolver ?? dnsResolver(config.dnsServers),
    redirect.directory,
    destinationChecker(redirect.directory),
  );
  domainRoutes(api, ctx, domains);
  analyticsRoutes(api, ctx, live, { heartbeatMs: overrides.liveHeartbeatMs });
  await api.ready();
  await redirect.start();
  const writer = startAnalyticsWriter(
    ctx,
    redirect.queue,
    { store: analyticsStore(database), geo, salts, live },
    overrides.writer,
  );
  registerRedirectMetrics(metrics, redirect, writer);
  const scheduler = startScheduler(
    [
      {
        name: 'analytics-retention',
        everyMs: 3600_000,
        run: () => pruneAnalytics(ctx, plans.retentionDays),
      },
      { name: 'salt-prune', everyMs: 600_000, run: async () => salts.prune(now()) },
      {
        name: 'idempotency-prune',
        everyMs: 3600_000,
        run: () => pruneIdempotencyKeys(ctx.db, now()),
      },
      {
        name: 'change-log-prune',
        everyMs: 3600_000,
        run: () => pruneChanges(ctx.db, now() - 86_400_000),
      },
      { name: 'domain-recheck', everyMs: 3600_000, run: () => domains.recheckAll() },
    ],
    log,
  );

  const pruneTimer = setInterval(() => {
    pruneIdempotencyKeys(ctx.db, clock.now()).catch((err: unknown) =>
      log.warn({ err }, 'idempotency prune failed'),
    );
  }, 3600_000);
  pruneTimer.unref();

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
      httpServer.closeIdleConnections?.();
      await api.close();
      await scheduler.stop();
      await redirect.stop();
      // Every scan answered before the close is written: 0 lost on SIGTERM.
      await writer.stop();
      geo.close?.();
      metrics.stop();
      ctx.mailer.close();
      await ctx.limiter.close();
      await database.close();
    },
  };
}
