import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isbot } from 'isbot';

const DAY_MS = 86_400_000;

/**
 * Sticky A/B buckets: HMAC(daily salt, IP, user agent) → [0, 1). The salt lives only in this
 * process's memory and rotates at midnight UTC, so assignments last a day and cannot be
 * recomputed afterwards (no cookie, nothing stored).
 */
export function dailyBucket(now: () => number) {
  let day = -1;
  let salt = randomBytes(32);
  return (ip: string, userAgent: string): number => {
    const today = Math.floor(now() / DAY_MS);
    if (today !== day) {
      day = today;
      salt = randomBytes(32);
    }
    return (
      createHmac('sha256', salt).update(`${ip}\n${userAgent}`).digest().readUInt32BE(0) / 2 ** 32
    );
  };
}

/** A quick human/bot guess on the hot path, for links whose scan count matters. */
export function looksHuman(req: IncomingMessage): boolean {
  if (req.method === 'HEAD') return false;
  const h = req.headers;
  if (h['sec-purpose'] || h.purpose || h['x-purpose'] || h['x-moz']) return false;
  const ua = h['user-agent'];
  return ua !== undefined && ua.length > 10 && !isbot(ua);
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
