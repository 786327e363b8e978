import { BoundedCache } from './bounded-cache.js';

/** Real Accept-Language headers are a few dozen characters; the header itself is unbounded. */
const MAX_HEADER_LENGTH = 256;
/** Browsers send a handful of distinct headers per locale, so a small memo answers most events. */
const CACHE_ENTRIES = 1_000;
const PRIMARY_SUBTAG = /^[a-z]{2,3}$/;
const QUALITY = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

const languageCache = new BoundedCache<string, string | null>(CACHE_ENTRIES);

/**
 * The preferred language's primary subtag, lower case ("de" for "de-CH,de;q=0.9,en;q=0.8"):
 * the highest-q entry, the first one on ties. Only the first 256 characters are read (an entry
 * cut by that limit is dropped); wildcards, private-use tags and q=0 never win.
 */
export function primaryLanguage(acceptLanguage: string | undefined): string | null {
  if (!acceptLanguage) return null;
  const header =
    acceptLanguage.length > MAX_HEADER_LENGTH
      ? acceptLanguage.slice(0, Math.max(0, acceptLanguage.lastIndexOf(',', MAX_HEADER_LENGTH)))
      : acceptLanguage;
  return languageCache.getOrCompute(header, highestQualityLanguage);
}

function highestQualityLanguage(header: string): string | null {
  let best: string | null = null;
  let bestQuality = 0;
  for (const entry of header.split(',')) {
    const [tag = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const primary = tag.split('-', 1)[0] ?? '';
    if (!PRIMARY_SUBTAG.test(primary)) continue;
    const quality = qualityOf(params);
    if (quality > bestQuality) {
      best = primary;
      bestQuality = quality;
    }
  }
  return best;
}

function qualityOf(params: readonly string[]): number {
  for (const param of params) {
    const compact = param.replace(/\s+/g, '');
    if (!compact.startsWith('q=')) continue;
    // A malformed weight makes the entry unusable rather than silently preferred.
    const weight = QUALITY.exec(compact)?.[1];
    return weight === undefined ? 0 : Number(weight);
  }
  return 1;
}
