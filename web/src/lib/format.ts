/**
 * Numbers, dates and time zones as the dashboard shows them. Locale: the browser's; every
 * function takes it explicitly where tests need a fixed one.
 */
const defaultLocale = (): string | undefined =>
  typeof navigator === 'undefined' ? undefined : navigator.language;

export function formatNumber(value: number, locale = defaultLocale()): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** 1,234 → "1.2K" for tight spots (meters, chart axes). */
export function formatCompact(value: number, locale = defaultLocale()): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(
    value,
  );
}

/** A share as a percentage, "—" when the whole is zero (no division by nothing). */
export function formatPercent(part: number, whole: number, locale = defaultLocale()): string {
  if (whole === 0) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(
    part / whole,
  );
}

export function formatDateTime(iso: string, timeZone?: string, locale = defaultLocale()): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

export function formatDate(iso: string, timeZone?: string, locale = defaultLocale()): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "3 minutes ago", "in 2 days". */
export function formatRelative(iso: string, now = new Date(), locale = defaultLocale()): string {
  let value = (new Date(iso).getTime() - now.getTime()) / 1000;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return format.format(Math.round(value), unit);
    value /= size;
  }
  return format.format(Math.round(value), 'year');
}

/** A time-series bucket's label, in the chart's time zone and at its interval's precision. */
export function formatBucket(
  iso: string,
  interval: 'hour' | 'day' | 'week' | 'month',
  timeZone: string,
  locale = defaultLocale(),
): string {
  const options: Intl.DateTimeFormatOptions =
    interval === 'hour'
      ? { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }
      : interval === 'month'
        ? { month: 'short', year: 'numeric' }
        : { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(iso));
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function timeZones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** Offset of a zone at an instant, in minutes east of UTC (Europe/Berlin in July → 120). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The value of a `datetime-local` input ("2026-07-01T09:30") read as wall time in `timeZone`,
 * as an RFC 3339 UTC instant; null for an empty or malformed value.
 */
export function localInputToIso(value: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s || 0);
  // Two passes settle the offset around DST changes.
  let instant = wall - zoneOffsetMinutes(timeZone, new Date(wall)) * 60_000;
  instant = wall - zoneOffsetMinutes(timeZone, new Date(instant)) * 60_000;
  return new Date(instant).toISOString();
}

/** An instant as a `datetime-local` value ("2026-07-01T09:30") of wall time in `timeZone`. */
export function isoToLocalInput(iso: string, timeZone: string): string {
  const at = new Date(iso);
  const shifted = new Date(at.getTime() + zoneOffsetMinutes(timeZone, at) * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/** Start of "today" in a zone, as an instant (for "today's scans"). */
export function startOfDay(timeZone: string, now = new Date()): string {
  const today = isoToLocalInput(now.toISOString(), timeZone).slice(0, 10);
  return localInputToIso(`${today}T00:00`, timeZone) ?? now.toISOString();
}

/** Country name from an ISO 3166-1 alpha-2 code, the code itself when unknown. */
export function countryName(code: string, locale = defaultLocale()): string {
  try {
    return (
      new Intl.DisplayNames(locale ? [locale] : undefined, { type: 'region' }).of(code) ?? code
    );
  } catch {
    return code;
  }
}

export function languageName(code: string, locale = defaultLocale()): string {
  try {
    return (
      new Intl.DisplayNames(locale ? [locale] : undefined, { type: 'language' }).of(code) ?? code
    );
  } catch {
    return code;
  }
}
