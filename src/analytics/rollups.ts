import type { EnrichedScan } from './enrich/index.js';
import { tagScope } from './tag-rollups.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Breakdown dimensions kept per day. `via` is not one: hourly rows are kept per `via`, and daily
 * rows count the QR-code part of each key.
 */
export const DIMENSIONS = [
  'country',
  'device',
  'os',
  'browser',
  'referrer',
  'language',
  'variant',
  'class',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface HourlyDelta {
  scope: string;
  hour: number;
  via: string;
  workspaceId: string;
  total: number;
  human: number;
  uniques: number;
}

/** One breakdown key's counts on a day, both `via` together; `qr*` is the QR-code part. */
export interface DailyDelta {
  scope: string;
  day: number;
  dimension: Dimension;
  key: string;
  workspaceId: string;
  total: number;
  human: number;
  qrTotal: number;
  qrHuman: number;
}

/**
 * The key each dimension has when an event carries nothing for it, and class 'human'. These
 * are the keys most events of a sparse link carry, so they are not stored: a chart derives
 * each from the day's total in rollup_hourly minus the dimension's other keys.
 */
export const DEFAULT_KEYS: Readonly<Record<Dimension, string>> = {
  country: '',
  device: '',
  os: '',
  browser: '',
  referrer: '',
  language: '',
  variant: '',
  class: 'human',
};
const DEFAULT_KEY_LIST = DIMENSIONS.map((d) => DEFAULT_KEYS[d]);

/**
 * Scopes and distinct keys one batch may hold (2^22): a batch of n events has at most 8n keys,
 * so any batch up to half a million events fits, whatever its referrers.
 */
const MAX_IDS = 2 ** 22;

const variantKeys = new Map<number, string>();

/** 'rule 2 / variant 1', 'rule 0', or '' without a rule; memoised (a handful per workspace). */
function variantKey(ruleIndex: number | null, variantIndex: number | null): string {
  if (ruleIndex === null) return '';
  const id = ruleIndex * 1024 + (variantIndex === null ? 1023 : variantIndex);
  let key = variantKeys.get(id);
  if (key === undefined) {
    key = `rule ${ruleIndex}${variantIndex === null ? '' : ` / variant ${variantIndex}`}`;
    if (variantKeys.size < 10_000) variantKeys.set(id, key);
  }
  return key;
}

/**
 * Folds a batch of newly stored events into rollup increments, per link, per workspace and per
 * tag the link carries (`tagsByLink`). `newVisitors` holds the events whose visitor was seen for
 * the first time that day on that link: only those add to `uniques`. This runs for every event
 * on the writer's path, so rows are found by numbers built from small per-batch ids (exact
 * integers below 2^53) instead of by composite strings.
 */
export function aggregate(
  events: readonly EnrichedScan[],
  newVisitors: ReadonlySet<string>,
  tagsByLink: ReadonlyMap<string, readonly string[]> = new Map(),
) {
  // Per-batch ids: scopes and keys in order of appearance, and (scope, day, via) buckets.
  const scopeIds = new Map<string, number>();
  const buckets = new Map<number, number>();
  const scopeNames: string[] = [];
  const scopesByLink = new Map<string, number[]>();
  const keyIds = new Map<string, number>();
  const hourly = new Map<number, HourlyDelta>();
  const daily = new Map<number, DailyDelta>();
  const humanScans = new Map<string, number>();
  const keys = new Array<string>(DIMENSIONS.length);
  const keyNumbers = new Array<number>(DIMENSIONS.length);
  const keyIdOf = (key: string): number => {
    let id = keyIds.get(key);
    if (id === undefined) {
      if (keyIds.size === MAX_IDS) throw new RangeError('analytics batch too large to aggregate');
      keyIds.set(key, (id = keyIds.size));
    }
    return id;
  };
  const scopeIdOf = (scope: string): number => {
    let id = scopeIds.get(scope);
    if (id === undefined) {
      if (scopeNames.length === MAX_IDS) throw new RangeError('analytics batch too large');
      scopeIds.set(scope, (id = scopeNames.length));
      scopeNames.push(scope);
    }
    return id;
  };
  const scopesOf = (event: EnrichedScan): number[] => {
    let scopes = scopesByLink.get(event.linkId);
    if (scopes === undefined) {
      const tags = tagsByLink.get(event.linkId) ?? [];
      scopes = [
        event.linkId,
        event.workspaceId,
        ...tags.map((t) => tagScope(event.workspaceId, t)),
      ].map(scopeIdOf);
      scopesByLink.set(event.linkId, scopes);
    }
    return scopes;
  };
  for (const event of events) {
    const human = event.trafficClass === 'human' ? 1 : 0;
    const unique = newVisitors.has(event.id) ? 1 : 0;
    const viaBit = event.via === 'qr' ? 1 : 0;
    const hourNumber = Math.floor(event.time / HOUR_MS);
    const dayNumber = Math.floor(event.time / DAY_MS);
    if (human) humanScans.set(event.linkId, (humanScans.get(event.linkId) ?? 0) + 1);
    keys[0] = event.country ?? '';
    keys[1] = event.device ?? '';
    keys[2] = event.os ?? '';
    keys[3] = event.browser ?? '';
    keys[4] = event.referrerHost ?? '';
    keys[5] = event.language ?? '';
    keys[6] = variantKey(event.ruleIndex, event.variantIndex);
    keys[7] = event.trafficClass;
    for (let i = 0; i < DIMENSIONS.length; i++) keyNumbers[i] = keyIdOf(keys[i] as string);
    for (const scopeId of scopesOf(event)) {
      const scope = scopeNames[scopeId] as string;
      // Hours since 1970 fit in 21 bits until 2209, days in 16 bits until 2149.
      const hourKey = (scopeId * 2 ** 21 + hourNumber) * 2 + viaBit;
      const h = hourly.get(hourKey);
      if (h) {
        h.total++;
        h.human += human;
        h.uniques += unique;
      } else {
        hourly.set(hourKey, {
          scope,
          hour: hourNumber * HOUR_MS,
          via: event.via,
          workspaceId: event.workspaceId,
          total: 1,
          human,
          uniques: unique,
        });
      }
      const bucketKey = scopeId * 2 ** 16 + dayNumber;
      let bucket = buckets.get(bucketKey);
      if (bucket === undefined) buckets.set(bucketKey, (bucket = buckets.size));
      // bucket (< 2^28: scopes × days of a batch) · dimension (3 bits) · key (22 bits).
      for (let i = 0; i < DIMENSIONS.length; i++) {
        if (keys[i] === DEFAULT_KEY_LIST[i]) continue;
        const dayKey = (bucket * 8 + i) * MAX_IDS + (keyNumbers[i] as number);
        const d = daily.get(dayKey);
        if (d) {
          d.total++;
          d.human += human;
          d.qrTotal += viaBit;
          d.qrHuman += viaBit & human;
        } else {
          daily.set(dayKey, {
            scope,
            day: dayNumber * DAY_MS,
            dimension: DIMENSIONS[i] as Dimension,
            key: keys[i] as string,
            workspaceId: event.workspaceId,
            total: 1,
            human,
            qrTotal: viaBit,
            qrHuman: viaBit & human,
          });
        }
      }
    }
  }
  return { hourly: [...hourly.values()], daily: [...daily.values()], humanScans };
}
