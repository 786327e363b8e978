import type { EnrichedScan } from './enrich/index.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Breakdown dimensions kept per day; `via` is a key of every rollup row, not a dimension. */
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

export interface DailyDelta {
  scope: string;
  day: number;
  via: string;
  dimension: Dimension;
  key: string;
  workspaceId: string;
  total: number;
  human: number;
}

/** The key an event has in one dimension ('' when unknown, e.g. no referrer). */
export function dimensionKey(event: EnrichedScan, dimension: Dimension): string {
  switch (dimension) {
    case 'country':
      return event.country ?? '';
    case 'device':
      return event.device ?? '';
    case 'os':
      return event.os ?? '';
    case 'browser':
      return event.browser ?? '';
    case 'referrer':
      return event.referrerHost ?? '';
    case 'language':
      return event.language ?? '';
    case 'variant':
      return event.ruleIndex === null
        ? ''
        : `rule ${event.ruleIndex}${event.variantIndex === null ? '' : ` / variant ${event.variantIndex}`}`;
    case 'class':
      return event.trafficClass;
  }
}

/**
 * Folds a batch of newly stored events into rollup increments, per link and per workspace.
 * `newVisitors` holds the events whose visitor was seen for the first time that day on that
 * link: only those add to `uniques`.
 */
export function aggregate(events: readonly EnrichedScan[], newVisitors: ReadonlySet<string>) {
  const hourly = new Map<string, HourlyDelta>();
  const daily = new Map<string, DailyDelta>();
  const humanScans = new Map<string, number>();
  for (const event of events) {
    const human = event.trafficClass === 'human' ? 1 : 0;
    const unique = newVisitors.has(event.id) ? 1 : 0;
    const hour = Math.floor(event.time / HOUR_MS) * HOUR_MS;
    const day = Math.floor(event.time / DAY_MS) * DAY_MS;
    if (human) humanScans.set(event.linkId, (humanScans.get(event.linkId) ?? 0) + 1);
    for (const scope of [event.linkId, event.workspaceId]) {
      const hourKey = `${scope}|${hour}|${event.via}`;
      const h = hourly.get(hourKey);
      if (h) {
        h.total++;
        h.human += human;
        h.uniques += unique;
      } else {
        hourly.set(hourKey, {
          scope,
          hour,
          via: event.via,
          workspaceId: event.workspaceId,
          total: 1,
          human,
          uniques: unique,
        });
      }
      for (const dimension of DIMENSIONS) {
        const key = dimensionKey(event, dimension);
        const dayKey = `${scope}|${day}|${event.via}|${dimension}|${key}`;
        const d = daily.get(dayKey);
        if (d) {
          d.total++;
          d.human += human;
        } else {
          daily.set(dayKey, {
            scope,
            day,
            via: event.via,
            dimension,
            key,
            workspaceId: event.workspaceId,
            total: 1,
            human,
          });
        }
      }
    }
  }
  return { hourly: [...hourly.values()], daily: [...daily.values()], humanScans };
}
