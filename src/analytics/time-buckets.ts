import { BoundedCache } from '../shared/bounded-cache.js';
import type { Interval } from './schemas.js';
import { DAY_MS, HOUR_MS } from './rollups.js';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Zone bucketers with their memo, shared by queries: each costs an Intl call per new hour. */
const zoned = new BoundedCache<string, (hourMs: number) => number>(64);
/** Hours memoised per zone bucketer (a 400-day chart needs 9,600). */
const MEMO_HOURS = 50_000;

/**
 * Maps an hour (UTC epoch ms) to the start of its hour/day/week(Monday)/month bucket in an IANA
 * zone, as UTC epoch ms. Rollups are hourly, so zones with a non-whole-hour offset (India,
 * Nepal…) get day boundaries at the nearest hour: documented in docs/analytics.md. UTC, the
 * default, is plain arithmetic; other zones go through Intl once per hour, memoised.
 */
export function bucketer(interval: Interval, timeZone: string): (hourMs: number) => number {
  if (interval === 'hour') return (hourMs) => hourMs;
  if (timeZone === 'UTC') return utcBucketer(interval);
  return zoned.getOrCompute(`${interval} ${timeZone}`, () => zoneBucketer(interval, timeZone));
}

function utcBucketer(interval: Exclude<Interval, 'hour'>): (hourMs: number) => number {
  switch (interval) {
    case 'day':
      return (hourMs) => Math.floor(hourMs / DAY_MS) * DAY_MS;
    case 'week':
      // 1970-01-01 was a Thursday: day 0 is weekday 3 counted from Monday.
      return (hourMs) => {
        const day = Math.floor(hourMs / DAY_MS);
        return (day - ((day + 3) % 7)) * DAY_MS;
      };
    case 'month':
      return (hourMs) => {
        const date = new Date(hourMs);
        return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      };
  }
}

/** The general case, through Intl: exported for the test that checks UTC against it. */
export function zoneBucketer(interval: Interval, timeZone: string): (hourMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
  });
  const local = (ms: number): LocalParts => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(ms)) parts[part.type] = part.value;
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour) % 24,
      weekday: WEEKDAYS[parts.weekday ?? 'Mon'] ?? 0,
    };
  };
  const offsetAt = (ms: number): number => {
    const p = local(ms);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour) - Math.floor(ms / HOUR_MS) * HOUR_MS;
  };
  /** Local wall-clock time → UTC, correct across DST changes. */
  const toUtc = (year: number, month: number, day: number): number => {
    const wall = Date.UTC(year, month - 1, day);
    const guess = wall - offsetAt(wall);
    return wall - offsetAt(guess);
  };
  const memo = new Map<number, number>();
  return (hourMs: number): number => {
    if (interval === 'hour') return hourMs;
    let start = memo.get(hourMs);
    if (start !== undefined) return start;
    const p = local(hourMs);
    if (interval === 'day') start = toUtc(p.year, p.month, p.day);
    else if (interval === 'month') start = toUtc(p.year, p.month, 1);
    else {
      const monday = new Date(Date.UTC(p.year, p.month - 1, p.day - p.weekday));
      start = toUtc(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate());
    }
    if (memo.size >= MEMO_HOURS) memo.clear();
    memo.set(hourMs, start);
    return start;
  };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
