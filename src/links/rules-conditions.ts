import type { Browser, Conditions, Device, Os } from './rules-schema.js';
import { WEEKDAYS } from './rules-schema.js';
import { MINUTES_PER_DAY, parseClockTime, parseRfc3339, zoneClock } from './rules-time.js';

/**
 * What rules may ask about a scan. Every method is lazy (user-agent parsing and geo lookups cost
 * real time and most links have no rules); the evaluator calls only what a rule needs, possibly
 * more than once, so implementations should memoize.
 */
export interface VisitorContext {
  device(): Device;
  os(): Os | null;
  browser(): Browser | null;
  /** Upper-case ISO 3166-1 alpha-2 code. */
  country(): string | null;
  /** Primary subtag of the preferred Accept-Language entry, lower case. */
  language(): string | null;
  /** Epoch milliseconds. */
  now(): number;
  /** The first value of a query parameter of the scanned URL, decoded; null when absent. */
  query(name: string): string | null;
  /** Lower case. */
  referrerHost(): string | null;
  /** 1-based number of this scan of the link. */
  scanNumber(): number;
  /** In [0, 1), stable per visitor per day: picks the variant of a weighted split. */
  visitorBucket(): number;
}

export type ConditionKey = keyof Conditions;

/** One compiled condition of a rule. */
export interface Condition {
  readonly key: ConditionKey;
  readonly test: (ctx: VisitorContext) => boolean;
  /** The visitor's value as this condition sees it, for explanations only. */
  readonly observe: (ctx: VisitorContext) => string;
}

/**
 * Cheap conditions first: a rule fails on the first condition that does not match, so the
 * user-agent parse and geo lookup run only when everything cheaper has matched.
 */
const EVALUATION_ORDER: readonly ConditionKey[] = [
  'scans',
  'query',
  'referrer',
  'dates',
  'time',
  'language',
  'country',
  'device',
  'os',
  'browser',
];

/** A rule's conditions, ready to test, in evaluation order. */
export function compileConditions(when: Conditions): Condition[] {
  const conditions: Condition[] = [];
  for (const key of EVALUATION_ORDER) {
    const condition = compileCondition(key, when);
    if (condition !== null) conditions.push(condition);
  }
  return conditions;
}

function compileCondition(key: ConditionKey, when: Conditions): Condition | null {
  switch (key) {
    case 'device':
      return when.device ? oneOf(key, when.device, (ctx) => ctx.device()) : null;
    case 'os':
      return when.os ? oneOf(key, when.os, (ctx) => ctx.os()) : null;
    case 'browser':
      return when.browser ? oneOf(key, when.browser, (ctx) => ctx.browser()) : null;
    case 'country':
      return when.country ? oneOf(key, when.country, (ctx) => ctx.country()) : null;
    case 'language':
      return when.language ? oneOf(key, when.language, (ctx) => ctx.language()) : null;
    case 'time':
      return when.time ? timeWindow(when.time) : null;
    case 'dates':
      return when.dates ? dateRange(when.dates) : null;
    case 'query':
      return when.query ? queryParameters(when.query) : null;
    case 'referrer':
      return when.referrer ? referrerHosts(when.referrer) : null;
    case 'scans':
      return when.scans ? scanCount(when.scans) : null;
  }
}

function oneOf(
  key: ConditionKey,
  values: readonly string[],
  read: (ctx: VisitorContext) => string | null,
): Condition {
  const allowed: ReadonlySet<string | null> = new Set(values);
  return { key, test: (ctx) => allowed.has(read(ctx)), observe: (ctx) => read(ctx) ?? 'unknown' };
}

function timeWindow(time: NonNullable<Conditions['time']>): Condition {
  const clock = zoneClock(time.tz);
  const from = parseClockTime(time.from);
  const to = parseClockTime(time.to);
  const days = time.days ?? WEEKDAYS;
  let dayMask = 0;
  for (const day of days) dayMask |= 1 << WEEKDAYS.indexOf(day);
  const startsOn = (day: number): boolean => (dayMask & (1 << day)) !== 0;
  return {
    key: 'time',
    test: (ctx) => {
      const minuteOfWeek = clock === null ? -1 : clock.minuteOfWeek(ctx.now());
      if (minuteOfWeek < 0) return false;
      const day = Math.floor(minuteOfWeek / MINUTES_PER_DAY);
      const minute = minuteOfWeek % MINUTES_PER_DAY;
      if (from < to) return minute >= from && minute < to && startsOn(day);
      // Crosses midnight (or lasts 24 h when from = to): the part after midnight belongs to
      // the window that started the day before.
      if (minute >= from) return startsOn(day);
      return minute < to && startsOn((day + 6) % 7);
    },
    observe: (ctx) => `${clock === null ? 'unknown' : clock.describe(ctx.now())} ${time.tz}`,
  };
}

function dateRange(dates: NonNullable<Conditions['dates']>): Condition {
  const from = dates.from === undefined ? -Infinity : parseRfc3339(dates.from);
  const to = dates.to === undefined ? Infinity : parseRfc3339(dates.to);
  return {
    key: 'dates',
    test: (ctx) => {
      const now = ctx.now();
      return now >= from && now < to;
    },
    observe: (ctx) => isoTime(ctx.now()),
  };
}

function queryParameters(query: NonNullable<Conditions['query']>): Condition {
  const expected = Object.entries(query);
  return {
    key: 'query',
    test: (ctx) => {
      for (const [name, value] of expected) {
        const actual = ctx.query(name);
        if (actual === null || (value !== true && actual !== value)) return false;
      }
      return true;
    },
    observe: (ctx) =>
      expected
        .map(([name]) => {
          const actual = ctx.query(name);
          return actual === null ? `${name} absent` : `${name}=${JSON.stringify(actual)}`;
        })
        .join(', '),
  };
}

function referrerHosts(hosts: readonly string[]): Condition {
  const targets = hosts.map((host) => ({ host, subdomainSuffix: `.${host}` }));
  return {
    key: 'referrer',
    test: (ctx) => {
      const host = ctx.referrerHost();
      if (host === null) return false;
      for (const target of targets) {
        if (host === target.host || host.endsWith(target.subdomainSuffix)) return true;
      }
      return false;
    },
    observe: (ctx) => ctx.referrerHost() ?? 'none',
  };
}

function scanCount(scans: NonNullable<Conditions['scans']>): Condition {
  const { lte, gt } = scans;
  return {
    key: 'scans',
    test: (ctx) => {
      const scan = ctx.scanNumber();
      return lte !== undefined ? scan <= lte : gt !== undefined && scan > gt;
    },
    observe: (ctx) => String(ctx.scanNumber()),
  };
}

function isoTime(now: number): string {
  return Number.isFinite(now) && Math.abs(now) <= 8.64e15 ? new Date(now).toISOString() : 'unknown';
}
