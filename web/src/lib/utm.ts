/** UTM parameters, appended to the destination at redirect time as the server does it. */
export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
export type UtmKey = (typeof UTM_KEYS)[number];
export type Utm = Partial<Record<UtmKey, string>>;

/** Trimmed, empty values dropped; null when nothing is left (the API's "no UTM"). */
export function cleanUtm(utm: Utm): Utm | null {
  const out: Utm = {};
  for (const key of UTM_KEYS) {
    const value = utm[key]?.trim();
    if (value) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * Where a visitor lands: the destination with `utm_*` set (replacing any already there), as
 * src/redirect/compiled-link.ts does; the URL unchanged when it does not parse.
 */
export function withUtm(url: string, utm: Utm | null): string {
  if (!utm) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  for (const key of UTM_KEYS) {
    const value = utm[key];
    if (value !== undefined) parsed.searchParams.set(`utm_${key}`, value);
  }
  return parsed.toString();
}

/**
 * A pasted destination that already carries `utm_*` parameters: the builder takes them over
 * and the destination keeps the rest, so the values live in one place.
 */
export function splitUtm(url: string): { url: string; utm: Utm | null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, utm: null };
  }
  const utm: Utm = {};
  for (const key of UTM_KEYS) {
    const value = parsed.searchParams.get(`utm_${key}`);
    if (value !== null) {
      utm[key] = value;
      parsed.searchParams.delete(`utm_${key}`);
    }
  }
  if (Object.keys(utm).length === 0) return { url, utm: null };
  return { url: parsed.toString(), utm: cleanUtm(utm) };
}
