/**
 * Time helpers for smart rules: local wall-clock time in an IANA zone (computed at most once per
 * zone per minute, since rules only look at HH:MM) and strict RFC 3339 parsing.
 */

export const MINUTES_PER_DAY = 1440;
const MS_PER_MINUTE = 60_000;
/** ECMAScript's time value range; Intl throws outside it. */
const MAX_TIME_VALUE = 8.64e15;
/** Monday first, as in the rules' `days` list; these are Intl's en-US short weekday names. */
const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const WEEKDAY_INDEX = new Map(WEEKDAY_NAMES.map((name, index) => [name, index]));

/** The local minute of the week (Monday 00:00 = 0) in one zone, memoized for the last minute seen. */
export class ZoneClock {
  private lastMinute = Number.NaN;
  private lastValue = -1;

  constructor(private readonly format: Intl.DateTimeFormat) {}

  /** -1 when `now` is not a representable time. */
  minuteOfWeek(now: number): number {
    if (!(Math.abs(now) <= MAX_TIME_VALUE)) return -1;
    const minute = Math.floor(now / MS_PER_MINUTE);
    if (minute === this.lastMinute) return this.lastValue;
    let day = -1;
    let hour = 0;
    let minuteOfHour = 0;
    for (const part of this.format.formatToParts(now)) {
      if (part.type === 'weekday') day = WEEKDAY_INDEX.get(part.value) ?? -1;
      else if (part.type === 'hour') hour = Number(part.value) % 24;
      else if (part.type === 'minute') minuteOfHour = Number(part.value);
    }
    this.lastMinute = minute;
    this.lastValue = day < 0 ? -1 : day * MINUTES_PER_DAY + hour * 60 + minuteOfHour;
    return this.lastValue;
  }

  /** E.g. `Mon 09:30`, for explanations. */
  describe(now: number): string {
    const value = this.minuteOfWeek(now);
    if (value < 0) return 'unknown';
    const minuteOfDay = value % MINUTES_PER_DAY;
    const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
    const mm = String(minuteOfDay % 60).padStart(2, '0');
    return `${WEEKDAY_NAMES[Math.floor(value / MINUTES_PER_DAY)] ?? '?'} ${hh}:${mm}`;
  }
}

/** Shared across links, so a minute's wall-clock time is computed once per zone. */
const clocks = new Map<string, ZoneClock | null>();
/** Zone names are matched case-insensitively by Intl, so the key space needs a bound. */
const MAX_CLOCKS = 1024;

/** The clock for an IANA zone name, or null when Intl does not know the zone. */
export function zoneClock(timeZone: string): ZoneClock | null {
  let clock = clocks.get(timeZone);
  if (clock !== undefined) return clock;
  try {
    clock = new ZoneClock(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
    );
  } catch {
    clock = null;
  }
  if (clocks.size >= MAX_CLOCKS) clocks.clear();
  clocks.set(timeZone, clock);
  return clock;
}

export function isValidTimeZone(timeZone: string): boolean {
  return zoneClock(timeZone) !== null;
}

/** Minutes since local midnight for a validated `HH:MM`. */
export function parseClockTime(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const RFC3339_PARTS =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of an RFC 3339 date-time, or NaN. Stricter than `Date.parse`, which rolls
 * 2024-02-30 over into March: every field must be in range (leap seconds are refused).
 */
export function parseRfc3339(text: string): number {
  const match = RFC3339_PARTS.exec(text);
  if (match === null) return Number.NaN;
  const field = (index: number): number => Number(match[index] ?? 0);
  const year = field(1);
  const month = field(2);
  if (month < 1 || month > 12 || field(3) < 1 || field(3) > daysInMonth(year, month)) {
    return Number.NaN;
  }
  if (field(4) > 23 || field(5) > 59 || field(6) > 59 || field(8) > 23 || field(9) > 59) {
    return Number.NaN;
  }
  return Date.parse(text);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
