import type { Browser, Device, Os, VisitorContext } from '../../src/links/rules.js';

export interface VisitorFacts {
  device: Device;
  os: Os | null;
  browser: Browser | null;
  country: string | null;
  language: string | null;
  /** RFC 3339 text or epoch milliseconds. */
  now: string | number;
  query: Record<string, string>;
  referrer: string | null;
  scan: number;
  bucket: number;
}

const DEFAULT_FACTS: VisitorFacts = {
  device: 'desktop',
  os: 'windows',
  browser: 'chrome',
  country: 'US',
  language: 'en',
  now: '2024-06-03T12:00:00Z',
  query: {},
  referrer: null,
  scan: 1,
  bucket: 0.5,
};

/** A VisitorContext over fixed facts that records which methods the evaluator called. */
export function visitor(
  facts: Partial<VisitorFacts> = {},
): VisitorContext & { calls: Set<keyof VisitorContext> } {
  const f = { ...DEFAULT_FACTS, ...facts };
  const calls = new Set<keyof VisitorContext>();
  const seen = <T>(name: keyof VisitorContext, value: T): T => (calls.add(name), value);
  return {
    calls,
    device: () => seen('device', f.device),
    os: () => seen('os', f.os),
    browser: () => seen('browser', f.browser),
    country: () => seen('country', f.country),
    language: () => seen('language', f.language),
    now: () => seen('now', typeof f.now === 'number' ? f.now : Date.parse(f.now)),
    query: (name) => seen('query', Object.hasOwn(f.query, name) ? (f.query[name] ?? null) : null),
    referrerHost: () => seen('referrerHost', f.referrer),
    scanNumber: () => seen('scanNumber', f.scan),
    visitorBucket: () => seen('visitorBucket', f.bucket),
  };
}
