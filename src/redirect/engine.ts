import type { IncomingMessage } from 'node:http';
import type { AppContext } from '../context.js';
import { ChangeFeed, type Change } from '../adapters/change-feed.js';
import { DomainDirectory } from '../domains/directory.js';
import { findDomainById, listActiveDomains } from '../domains/repo.js';
import type { ReservedCodes } from '../links/codes.js';
import {
  findLinkById,
  findLinkByKey,
  linksOfWorkspaceForCache,
  pageActiveLinks,
} from '../links/repo.js';
import { compileLink, type CachedLink, type LinkRecord } from './compiled-link.js';
import { createRedirectHandler, type RedirectCounters } from './handler.js';
import { LinkCache } from './link-cache.js';
import { MissThrottle, type MissBudget } from './miss-throttle.js';
import { PasswordGate, type PasswordAttempts } from './password-gate.js';
import { EventQueue, type RawScan } from './queue.js';
import type { VisitorSources } from './visitor.js';
import { proxyCountry } from './visitor-sources.js';
import { trustedProxyCheck } from '../http/client-ip.js';
import { uuidv7 } from '../shared/ids.js';

export interface RedirectEngineOptions {
  clientIp: (peer: string, forwardedFor: string | string[] | undefined) => string;
  visitor: VisitorSources;
  isHuman: (req: IncomingMessage) => boolean;
  queueCapacity?: number;
  /** Change-log polling interval; PostgreSQL is also woken by NOTIFY. */
  pollIntervalMs?: number;
  /** Misses per client before 404s turn into 429s (RED-09). */
  missBudget?: MissBudget;
  /** Codes the server's own paths take: requests for them are left to the API. */
  reserved: ReservedCodes;
  /** The shared count of password attempts on protected links (RED-15). */
  passwordAttempts: PasswordAttempts;
}

/**
 * Everything the short-link path needs, assembled: domain directory, link cache, change feed,
 * event queue and the request handler. Loads every active link at start so hits never wait.
 */
export function createRedirectEngine(ctx: AppContext, options: RedirectEngineOptions) {
  const directory = new DomainDirectory(
    ctx.config.http.baseUrl,
    ctx.config.http.ownHosts,
    ctx.config.links.allowPrivateDestinations,
  );
  const queue = new EventQueue<RawScan>(options.queueCapacity ?? 100_000);
  const counters: RedirectCounters = {
    redirects: 0,
    notFound: 0,
    unavailable: 0,
    pages: 0,
    throttled: 0,
  };
  // One string per workspace id and per domain shared by all their cached links, and a code
  // already in upper case kept once (generated codes are): memory at a million links.
  const shared = new Map<string, string>();
  const intern = (text: string): string => {
    const existing = shared.get(text);
    if (existing !== undefined) return existing;
    shared.set(text, text);
    return text;
  };
  const compile = (row: LinkRecord): CachedLink =>
    compileLink(
      {
        ...row,
        workspace_id: intern(row.workspace_id),
        domain: intern(row.domain),
        code: row.code === row.code_key ? row.code_key : row.code,
      },
      directory.destinations,
    );

  const cache = new LinkCache(
    {
      async byKey(domain, codeKey) {
        const row = await findLinkByKey(ctx.db, domain, codeKey);
        return row && row.archived_at === null ? compile(row) : null;
      },
    },
    () => ctx.clock.now(),
  );

  async function applyChanges(changes: Change[]): Promise<void> {
    for (const change of changes) {
      if (change.kind === 'link') {
        const row = await findLinkById(ctx.db, change.entity_id);
        if (!row || row.archived_at !== null) cache.delete(change.entity_id);
        else {
          const known = cache.get(row.id);
          const link = compile(row);
          // The stored counter lags this process's own count: keep the larger.
          if (known && known.scans > link.scans) link.scans = known.scans;
          cache.set(link);
        }
      } else if (change.kind === 'workspace') {
        for (const row of await linksOfWorkspaceForCache(ctx.db, change.entity_id)) {
          if (row.archived_at !== null) continue;
          const known = cache.get(row.id);
          const link = compile(row);
          if (known && known.scans > link.scans) link.scans = known.scans;
          cache.set(link);
        }
      } else if (change.kind === 'domain') {
        const row = await findDomainById(ctx.db, change.entity_id);
        if (!row || row.status !== 'active') directory.remove(change.entity_id);
        else directory.set(domainEntry(row));
      }
    }
  }

  const feed = new ChangeFeed(ctx.db, applyChanges, {
    intervalMs: options.pollIntervalMs ?? (ctx.dialect === 'postgres' ? 1000 : 250),
    postgresUrl: ctx.config.db.postgresUrl,
    onError: (err) => ctx.log.warn({ err }, 'change feed poll failed'),
  });

  const fromProxy = proxyCountry(trustedProxyCheck(ctx.config.http.trustedProxies));
  let ready = false;
  const handle = createRedirectHandler({
    cache,
    directory,
    queue,
    now: () => ctx.clock.now(),
    clientIp: options.clientIp,
    visitor: {
      visitorBucket: options.visitor.visitorBucket,
      // GeoIP (when configured) first, else what a trusted proxy says.
      country: (ip, req) => options.visitor.country(ip, req) ?? fromProxy(req),
    },
    isHuman: options.isHuman,
    gate: new PasswordGate(ctx.secret, () => ctx.clock.now(), options.passwordAttempts),
    misses: new MissThrottle(() => ctx.clock.now(), options.missBudget),
    newEventId: () => uuidv7(ctx.clock.now()),
    counters,
    reserved: options.reserved,
    log: ctx.log,
  });

  return {
    directory,
    cache,
    queue,
    counters,
    handle,
    feed,
    isReady: () => ready,
    /** Subscribes to changes first, then loads domains and links: nothing falls in between. */
    async start(): Promise<void> {
      await feed.start();
      for (const row of await listActiveDomains(ctx.db)) directory.set(domainEntry(row));
      let after = '';
      for (;;) {
        const rows = await pageActiveLinks(ctx.db, after, 5000);
        for (const row of rows) if (!cache.get(row.id)) cache.set(compile(row));
        const last = rows[rows.length - 1];
        if (!last || rows.length < 5000) break;
        after = last.id;
      }
      ready = true;
      await feed.poll();
    },
    stop: () => feed.stop(),
  };
}

export type RedirectEngine = ReturnType<typeof createRedirectEngine>;

function domainEntry(row: {
  id: string;
  workspace_id: string;
  host: string;
  root_url: string | null;
  not_found_url: string | null;
}) {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    host: row.host,
    rootUrl: row.root_url,
    notFoundUrl: row.not_found_url,
  };
}
