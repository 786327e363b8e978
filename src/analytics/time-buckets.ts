import type { Interval } from './schemas.js';
import { HOUR_MS } from './rollups.js';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/**
 * Maps an hour (UTC epoch ms) to the start of its hour/day/week(Monday)/month bucket in an IANA
 * zone, as UTC epoch ms. Rollups are hourly, so zones with a non-whole-hour offset (India,
 * Nepal…) get day boundaries at the nearest hour: documented in docs/analytics.md.
 */
export function bucketer(interval: Interval, timeZone: string): (hourMs: number) => number {
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
