import {
  classifyByMethodAndPurpose,
  classifyUserAgent,
  isBotClass,
  type TrafficClass,
} from './classify.js';
import type { RawScan } from '../../redirect/queue.js';
import type { GeoLookup } from './geoip.js';
import { normalizeIp } from './ip.js';
import { primaryLanguage } from '../../shared/language.js';
import { referrerHost } from './referrer.js';
import {
  parseUserAgent,
  type BrowserName,
  type DeviceType,
  type OsName,
} from '../../shared/user-agent.js';
import {
  shouldHashVisitor,
  utcDayStart,
  visitorHash,
  type SaltSource,
  type SyncSaltSource,
} from './visitor.js';

export type { RawScan };

/**
 * What may be stored. It never carries the IP or the full user agent (PRV-01), only the
 * referrer's host (PRV-08), and a visitor hash only for humans who did not opt out (PRV-05).
 */
export interface EnrichedScan {
  id: string;
  time: number;
  linkId: string;
  workspaceId: string;
  domain: string;
  via: 'qr' | 'link';
  ruleIndex: number | null;
  variantIndex: number | null;
  status: number;
  trafficClass: TrafficClass;
  bot: boolean;
  /** Null when the user agent is not a browser (bots, unfurlers): they have no device. */
  device: DeviceType | null;
  os: OsName | null;
  browser: BrowserName | null;
  country: string | null;
  /** Only with a city database, and never for DNT / Sec-GPC requests (PRV-02, PRV-05). */
  city: string | null;
  language: string | null;
  referrerHost: string | null;
  /** Null for every non-human class, for DNT / Sec-GPC, and when the IP is not an address. */
  visitorHash: string | null;
}

export interface EnrichDeps {
  geo: GeoLookup;
  salts: SyncSaltSource;
}

/** Derives the storable event from a raw scan; the IP and user agent stay in memory only. */
export function enrichEvent(raw: RawScan, deps: EnrichDeps): EnrichedScan {
  const agentClass = classifyUserAgent(raw.userAgent);
  const trafficClass = classifyByMethodAndPurpose(raw) ?? agentClass;
  // A HEAD or prefetch from a real browser still tells which device it came from.
  const agent = agentClass === 'human' ? parseUserAgent(raw.userAgent) : null;
  const tracked = shouldHashVisitor({ dnt: raw.dnt, secGpc: raw.secGpc });
  const ip = normalizeIp(raw.ip);
  const hash =
    trafficClass === 'human' && tracked && ip !== null
      ? visitorHash(deps.salts.saltFor(raw.time), raw.workspaceId, ip, raw.userAgent)
      : null;
  return {
    id: raw.id,
    time: raw.time,
    linkId: raw.linkId,
    workspaceId: raw.workspaceId,
    domain: raw.domain,
    via: raw.via,
    ruleIndex: raw.ruleIndex,
    variantIndex: raw.variantIndex,
    status: raw.status,
    trafficClass,
    bot: isBotClass(trafficClass),
    device: agent?.device ?? null,
    os: agent?.os ?? null,
    browser: agent?.browser ?? null,
    country: ip === null ? null : deps.geo.country(ip),
    city: ip !== null && tracked ? deps.geo.city(ip) : null,
    language: primaryLanguage(raw.acceptLanguage),
    referrerHost: referrerHost(raw.referer),
    visitorHash: hash,
  };
}

/**
 * Enriches a batch with any SaltSource, including asynchronous ones (Redis): the salt of each
 * UTC day in the batch is fetched once, then every event is enriched synchronously.
 */
export async function enrichBatch(
  raws: readonly RawScan[],
  deps: { geo: GeoLookup; salts: SaltSource },
): Promise<EnrichedScan[]> {
  const saltsByDay = new Map<number, Buffer>();
  for (const raw of raws) {
    const day = utcDayStart(raw.time);
    if (!saltsByDay.has(day)) saltsByDay.set(day, await deps.salts.saltFor(day));
  }
  const salts: SyncSaltSource = {
    saltFor(dayMs) {
      const salt = saltsByDay.get(utcDayStart(dayMs));
      if (salt === undefined)
        throw new Error(`no salt fetched for ${new Date(dayMs).toISOString()}`);
      return salt;
    },
  };
  return raws.map((raw) => enrichEvent(raw, { geo: deps.geo, salts }));
}

export { classifyRequest, classifyUserAgent, isBotClass, type TrafficClass } from './classify.js';
export { openGeoDatabase, type GeoLookup } from './geoip.js';
export {
  DailySaltStore,
  shouldHashVisitor,
  visitorBucket,
  visitorHash,
  type SaltSource,
} from './visitor.js';
