import type { IncomingMessage } from 'node:http';
import { classifyRequest } from '../analytics/enrich/classify.js';
import type { GeoLookup } from '../analytics/enrich/geoip.js';
import { visitorBucket, type SyncSaltSource } from '../analytics/enrich/visitor.js';
import type { VisitorSources } from './visitor.js';

/**
 * Where rules get the visitor's country and A/B bucket. The bucket is HMAC(today's salt, link,
 * IP, user agent): sticky for a day, different per link, no cookie, nothing stored (the salt is
 * the same in-memory one the analytics writer uses for unique visitors).
 */
export function visitorSources(
  geo: GeoLookup,
  salts: SyncSaltSource,
  now: () => number,
): VisitorSources {
  return {
    country: (ip) => geo.country(ip),
    visitorBucket: (linkId, ip, userAgent) =>
      visitorBucket(salts.saltFor(now()), `${linkId}\n${ip}`, userAgent),
  };
}

/** The same classification analytics applies, so scan limits count exactly the human scans. */
export function isHumanRequest(req: IncomingMessage): boolean {
  const h = req.headers;
  return (
    classifyRequest({
      userAgent: h['user-agent'],
      method: req.method ?? 'GET',
      secPurpose: h['sec-purpose'] as string | undefined,
      purpose: h.purpose as string | undefined,
      xPurpose: h['x-purpose'] as string | undefined,
      xMoz: h['x-moz'] as string | undefined,
    }) === 'human'
  );
}

const COUNTRY_CODE = /^[A-Za-z]{2}$/;

/**
 * The visitor's country as a trusted reverse proxy or CDN reports it (`CF-IPCountry`,
 * `X-Country-Code`), believed only when the socket peer is one of QRLINK_TRUSTED_PROXIES.
 * Used when no GeoIP database answers; `XX` and Tor's `T1` mean unknown.
 */
export function proxyCountry(isTrustedPeer: (ip: string) => boolean) {
  return (req: IncomingMessage): string | null => {
    const raw = req.headers['cf-ipcountry'] ?? req.headers['x-country-code'];
    if (typeof raw !== 'string' || !COUNTRY_CODE.test(raw)) return null;
    if (!isTrustedPeer(req.socket.remoteAddress ?? '')) return null;
    const code = raw.toUpperCase();
    return code === 'XX' ? null : code;
  };
}
