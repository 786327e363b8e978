import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { DomainDirectory, HostMatch } from '../domains/directory.js';
import type { ReservedCodes } from '../links/codes.js';
import { isSafeLocationHeader } from '../links/destination.js';
import { evaluateRules } from '../links/rules.js';
import { type CachedLink, STATUS_ACTIVE, STATUS_PAUSED } from './compiled-link.js';
import type { LinkCache } from './link-cache.js';
import type { MissThrottle } from './miss-throttle.js';
import * as pages from './pages.js';
import type { PasswordGate } from './password-gate.js';
import type { EventQueue, RawScan } from './queue.js';
import { RequestVisitor, type VisitorSources } from './visitor.js';

/** Plain numbers on the hot path; /metrics reads them when scraped. */
export interface RedirectCounters {
  redirects: number;
  notFound: number;
  unavailable: number;
  pages: number;
  /** Misses answered 429 by the enumeration throttle (RED-09). */
  throttled: number;
}

export interface RedirectDeps {
  cache: LinkCache;
  directory: DomainDirectory;
  queue: EventQueue<RawScan>;
  now: () => number;
  clientIp: (peer: string, forwardedFor: string | string[] | undefined) => string;
  visitor: VisitorSources;
  /** Whether a request would count as a human scan (for scan limits and scan-number rules). */
  isHuman: (req: IncomingMessage) => boolean;
  gate: PasswordGate;
  misses: MissThrottle;
  newEventId: () => string;
  counters: RedirectCounters;
  /** Code keys of the server's own paths (the route table's first segments): never looked up. */
  reserved: ReservedCodes;
  log: FastifyBaseLogger;
}

const CODE_PATH = /^\/([A-Za-z0-9_-]{1,64})(\/[qQ])?\/?$/;
const MAX_FORM_BYTES = 1024;
/** Longest Location sent; browsers, proxies and servers refuse longer URLs. */
const MAX_LOCATION_LENGTH = 8192;

const CACHE_302 = 'private, max-age=0';
/** Permanent redirects are cached by browsers: bounded so edits and counting resume (RED-12). */
const CACHE_PERMANENT = 'private, max-age=90';
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/**
 * The hot path (DESIGN "Scan"): host and code to a cached link, its rules, one writeHead, one
 * push onto the event queue. No database, no framework, no per-request logging on a hit.
 * Returns false when the request is not a short link, so the API can answer it.
 */
export function createRedirectHandler(deps: RedirectDeps) {
  const hostMemo = new Map<string, HostMatch | null>();
  let memoDirectorySize = -1;

  function matchHost(host: string | undefined): HostMatch | null {
    if (host === undefined) return null;
    if (memoDirectorySize !== deps.directory.version) {
      hostMemo.clear();
      memoDirectorySize = deps.directory.version;
    }
    let match = hostMemo.get(host);
    if (match === undefined) {
      match = deps.directory.match(host);
      if (hostMemo.size < 10_000) hostMemo.set(host, match);
    }
    return match;
  }

  function sendPage(res: ServerResponse, status: number, html: string, extra: string[] = []): void {
    deps.counters.pages++;
    res.writeHead(status, [
      'content-type',
      'text/html; charset=utf-8',
      'cache-control',
      'no-store',
      'x-robots-tag',
      'noindex',
      'content-security-policy',
      PAGE_CSP,
      'content-length',
      String(Buffer.byteLength(html)),
      ...extra,
    ]);
    res.end(html);
  }

  function redirect(res: ServerResponse, status: number, location: string): void {
    deps.counters.redirects++;
    res.writeHead(status, [
      'location',
      location,
      'cache-control',
      status === 301 || status === 308 ? CACHE_PERMANENT : CACHE_302,
      'x-robots-tag',
      'noindex',
      'content-length',
      '0',
    ]);
    res.end();
  }

  function notFound(req: IncomingMessage, res: ServerResponse, host: HostMatch | null): void {
    const ip = deps.clientIp(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for']);
    const wait = deps.misses.miss(ip);
    if (wait > 0) {
      deps.counters.throttled++;
      return sendPage(res, 429, pages.tooManyMissesPage(), ['retry-after', String(wait)]);
    }
    deps.counters.notFound++;
    const target = host?.kind === 'custom' ? host.domain.notFoundUrl : null;
    if (target && req.method !== 'POST') return redirect(res, 302, target);
    sendPage(res, 404, pages.notFoundPage());
  }

  function record(
    req: IncomingMessage,
    link: CachedLink,
    ip: string,
    via: 'qr' | 'link',
    status: number,
    rule: number | null,
    variant: number | null,
    time: number,
  ): void {
    if (!link.track) return;
    const h = req.headers;
    deps.queue.push({
      id: deps.newEventId(),
      time,
      linkId: link.id,
      workspaceId: link.workspaceId,
      domain: link.domain,
      code: link.code,
      via,
      ruleIndex: rule,
      variantIndex: variant,
      status,
      method: req.method ?? 'GET',
      ip,
      userAgent: h['user-agent'] ?? '',
      acceptLanguage: h['accept-language'] ?? '',
      referer: h.referer ?? '',
      secPurpose: (h['sec-purpose'] as string | undefined) ?? '',
      purpose: (h.purpose as string | undefined) ?? (h['x-purpose'] as string | undefined) ?? '',
      dnt: (h.dnt as string | undefined) ?? '',
      secGpc: (h['sec-gpc'] as string | undefined) ?? '',
    });
  }

  async function passwordPost(
    req: IncomingMessage,
    res: ServerResponse,
    link: CachedLink,
    ip: string,
    path: string,
  ): Promise<void> {
    const hash = link.extras?.passwordHash;
    if (!hash) {
      res.writeHead(405, ['allow', 'GET, HEAD', 'content-length', '0']);
      res.end();
      return;
    }
    const body = await readForm(req);
    const password = body?.get('password') ?? '';
    if (!body || password.length === 0 || password.length > 128) {
      return sendPage(res, 400, pages.passwordPage(path, 'Enter the password.'));
    }
    const answer = await deps.gate.attempt(link.id, ip, hash, password);
    if (answer.outcome === 'blocked') {
      return sendPage(res, 429, pages.tooManyAttemptsPage(), [
        'retry-after',
        String(answer.retryAfterSeconds),
      ]);
    }
    if (answer.outcome === 'wrong') {
      return sendPage(res, 401, pages.passwordPage(path, 'Wrong password.'));
    }
    const grant = deps.gate.grant(link.id);
    const cookiePath = path.endsWith('/Q') || path.endsWith('/q') ? path.slice(0, -2) : path;
    res.writeHead(303, [
      'location',
      path,
      'set-cookie',
      `${deps.gate.cookieName(link.id)}=${grant.value}; Max-Age=${grant.maxAgeSeconds}; Path=${cookiePath}; HttpOnly; SameSite=Lax${deps.directory.secureCookies ? '; Secure' : ''}`,
      'cache-control',
      'no-store',
      'content-length',
      '0',
    ]);
    res.end();
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    link: CachedLink,
    via: 'qr' | 'link',
    search: string,
    path: string,
  ): void {
    const time = deps.now();
    const ip = deps.clientIp(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for']);
    if (link.status !== STATUS_ACTIVE) {
      const paused = link.status === STATUS_PAUSED;
      record(req, link, ip, via, paused ? 404 : 410, null, null, time);
      return sendPage(res, paused ? 404 : 410, paused ? pages.pausedPage() : pages.disabledPage());
    }
    const extras = link.extras;
    if (extras !== null && extras.expiresAt !== 0 && time >= extras.expiresAt) {
      const target = extras.expiredUrl;
      record(req, link, ip, via, target ? 302 : 410, null, null, time);
      return target ? redirect(res, 302, target) : sendPage(res, 410, pages.expiredPage());
    }
    if (extras?.passwordHash) {
      if (req.method === 'POST') {
        void passwordPost(req, res, link, ip, path).catch((err: unknown) => fail(res, err));
        return;
      }
      if (!deps.gate.hasGrant(link.id, req.headers.cookie))
        return sendPage(res, 200, pages.passwordPage(path, null));
    } else if (req.method === 'POST') {
      res.writeHead(405, ['allow', 'GET, HEAD', 'content-length', '0']);
      res.end();
      return;
    }
    // Only links whose scan number matters pay for the human/bot guess (the same classification
    // the analytics writer applies, so this count and the stored one agree).
    const human = extras?.needsScanCount === true ? deps.isHuman(req) : null;
    if (extras !== null && extras.maxScans !== 0 && link.scans >= extras.maxScans) {
      const target = extras.fallbackUrl;
      record(req, link, ip, via, target ? 302 : 410, null, null, time);
      return target ? redirect(res, 302, target) : sendPage(res, 410, pages.limitPage());
    }
    let location = link.url;
    let rule: number | null = null;
    let variant: number | null = null;
    let appUrl: string | null = null;
    if (extras?.rules) {
      const visitor = new RequestVisitor(
        req,
        ip,
        search,
        link.id,
        time,
        link.scans + 1,
        deps.visitor,
      );
      const decision = evaluateRules(extras.rules, link.url, visitor);
      location = decision.url;
      rule = decision.ruleIndex;
      variant = decision.variantIndex;
      appUrl = decision.appUrl;
    }
    if (link.passQuery && search.length > 1) location = withQuery(location, search);
    if (location.length > MAX_LOCATION_LENGTH) return sendPage(res, 414, pages.uriTooLongPage());
    if (human === true) link.scans++;
    if (appUrl) {
      record(req, link, ip, via, 200, rule, variant, time);
      const nonce = randomBytes(12).toString('base64');
      const html = pages.appLinkPage(appUrl, location, nonce);
      deps.counters.pages++;
      res.writeHead(200, [
        'content-type',
        'text/html; charset=utf-8',
        'cache-control',
        'no-store',
        'x-robots-tag',
        'noindex',
        'content-security-policy',
        `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; frame-ancestors 'none'`,
        'content-length',
        String(Buffer.byteLength(html)),
      ]);
      res.end(html);
      return;
    }
    record(req, link, ip, via, link.redirectType, rule, variant, time);
    redirect(res, link.redirectType, location);
  }

  function fail(res: ServerResponse, err: unknown): void {
    deps.counters.unavailable++;
    deps.log.error({ err }, 'redirect failed');
    if (!res.headersSent) sendPage(res, 503, pages.unavailablePage(), ['retry-after', '5']);
    else res.destroy();
  }

  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const host = matchHost(req.headers.host);
    const match = CODE_PATH.exec(path);
    const codeKey = match === null ? '' : (match[1] as string).toUpperCase();
    // A path the server answers itself is never a code, on any host: a link at /reset-password
    // would receive the e-mailed token.
    const reserved = deps.reserved.has(codeKey);
    if (host?.kind !== 'custom') {
      // On the default domain (and unknown hosts) everything but a code belongs to the API.
      if (match === null || reserved) return false;
      if (host === null) {
        notFound(req, res, null);
        return true;
      }
    } else if (match === null || reserved) {
      // A custom domain serves short links only: the API and the pages stay on the base URL.
      if (path === '/' && host.domain.rootUrl && method !== 'POST')
        redirect(res, 302, host.domain.rootUrl);
      else notFound(req, res, host);
      return true;
    }
    const domain = host.kind === 'custom' ? host.domain.host : '';
    const via = match[2] === undefined ? 'link' : 'qr';
    const search = q === -1 ? '' : url.slice(q);
    // The form posts back to the path scanned; the grant cookie covers /CODE and /CODE/Q.
    const cleanPath = `/${match[1] as string}${match[2] ?? ''}`;
    // A custom domain serves only its own workspace's links: a host that changed hands never
    // inherits the links its previous owner created on it (RED-10).
    const owner = host.kind === 'custom' ? host.domain.workspaceId : null;
    try {
      const found = deps.cache.lookup(domain, codeKey);
      if (found.kind === 'hit') {
        if (owner === null || found.link.workspaceId === owner)
          answer(req, res, found.link, via, search, cleanPath);
        else notFound(req, res, host);
      } else if (found.kind === 'miss') notFound(req, res, host);
      else {
        found.promise
          .then((link) =>
            link && (owner === null || link.workspaceId === owner)
              ? answer(req, res, link, via, search, cleanPath)
              : notFound(req, res, host),
          )
          .catch((err: unknown) => fail(res, err));
      }
    } catch (err) {
      fail(res, err);
    }
    return true;
  };
}

/**
 * Appends the visitor's query string; bytes a Location header cannot carry are dropped (RED-03).
 * A `#` in the request ends its query (only a raw client sends one): what follows is not passed
 * on, so the destination's own fragment stays the only one.
 */
function withQuery(location: string, search: string): string {
  const hash = location.indexOf('#');
  const base = hash === -1 ? location : location.slice(0, hash);
  const fragment = hash === -1 ? '' : location.slice(hash);
  const queryEnd = search.indexOf('#');
  const extra = search.slice(1, queryEnd === -1 ? search.length : queryEnd);
  if (extra.length === 0) return location;
  const joined = `${base}${base.includes('?') ? '&' : '?'}${extra}${fragment}`;
  return isSafeLocationHeader(joined) ? joined : location;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  return new Promise((resolve) => {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        req.destroy();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', () => resolve(null));
  });
}
