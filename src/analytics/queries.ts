import type { Static } from 'typebox';
import { AppError } from '../errors.js';
import type { DialectName, Executor } from '../db/index.js';
import { linkIdsMatching } from '../links/repo.js';
import { DAY_MS, DEFAULT_KEYS, DIMENSIONS, HOUR_MS, type Dimension } from './rollups.js';
import type { AnalyticsQuery, Interval } from './schemas.js';
import { checkRange, rangeError } from './range.js';
import { tagScope } from './tag-rollups.js';
import { bucketer, isValidTimeZone } from './time-buckets.js';

type Query = Static<typeof AnalyticsQuery>;

const MAX_HOURLY_RANGE_MS = 31 * DAY_MS;
const SCOPE_CHUNK = 500;

interface Entry {
  key: string;
  total: number;
  human: number;
}

/**
 * Rollup scopes the filters select: null for "the whole workspace" (its own rollups), a tag's
 * own rollups for a tag alone (see tag-rollups.ts), else the matching links.
 */
async function scopesFor(
  db: Executor,
  dialect: DialectName,
  workspaceId: string,
  q: Query,
): Promise<string[] | null> {
  if (!q.linkId && !q.tag && !q.domain) return null;
  if (q.tag && !q.linkId && !q.domain) return [tagScope(workspaceId, q.tag.toLowerCase())];
  const ids = await linkIdsMatching(db, dialect, workspaceId, {
    linkId: q.linkId,
    tag: q.tag?.toLowerCase(),
    domain: q.domain,
  });
  if (q.linkId && ids.length === 0) throw new AppError('not_found', 'Link not found');
  return ids;
}

function chunked<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SCOPE_CHUNK) out.push(items.slice(i, i + SCOPE_CHUNK));
  return out.length ? out : [[]];
}

export interface AnalyticsRange {
  from: number;
  to: number;
}

/** Validated range: defaults to the last 30 days (48 hours for hourly charts). */
export function resolveRange(q: Query, now: number): AnalyticsRange {
  const interval = (q.interval ?? 'day') as Interval;
  const to = q.to ? Date.parse(q.to) : now;
  const from = q.from ? Date.parse(q.from) : to - (interval === 'hour' ? 2 : 30) * DAY_MS;
  checkRange(from, to);
  if (interval === 'hour' && to - from > MAX_HOURLY_RANGE_MS)
    throw rangeError('interval', 'hour needs a range of at most 31 days');
  if (q.tz && !isValidTimeZone(q.tz)) {
    throw new AppError('validation_failed', 'tz is not a known IANA time zone', {
      errors: [{ field: 'querystring:/tz', message: 'is not a known IANA time zone' }],
    });
  }
  return { from, to };
}

/**
 * The chart API: totals, a zero-filled time series and top-N breakdowns, all from rollups (never
 * from raw events). Hours are the finest grain: `from`/`to` round down/up to whole hours, and
 * breakdowns to whole UTC days.
 */
export async function analyticsFor(
  db: Executor,
  dialect: DialectName,
  workspaceId: string,
  q: Query,
  now: number,
) {
  const { from, to } = resolveRange(q, now);
  const interval = (q.interval ?? 'day') as Interval;
  const tz = q.tz ?? 'UTC';
  const top = q.top ?? 10;
  const scopes = await scopesFor(db, dialect, workspaceId, q);
  const fromHour = Math.floor(from / HOUR_MS) * HOUR_MS;
  const toHour = Math.ceil(to / HOUR_MS) * HOUR_MS;
  // The breakdowns' whole days, which contain [fromHour, toHour): their hourly totals give the
  // default keys that daily rows leave out.
  const fromDay = Math.floor(from / DAY_MS) * DAY_MS;
  const toDay = Math.ceil(to / DAY_MS) * DAY_MS;

  const hourly: { hour: number; via: string; total: number; human: number; uniques: number }[] = [];
  const daily: {
    dimension: string;
    key: string;
    total: number;
    human: number;
    qr_total: number;
    qr_human: number;
  }[] = [];
  for (const part of scopes === null ? [[workspaceId]] : chunked(scopes)) {
    if (part.length === 0) continue;
    let hq = db
      .selectFrom('rollup_hourly')
      .select((eb) => [
        'hour',
        'via',
        eb.fn.sum<number>('total').as('total'),
        eb.fn.sum<number>('human').as('human'),
        eb.fn.sum<number>('uniques').as('uniques'),
      ])
      .where('workspace_id', '=', workspaceId)
      .where('scope', 'in', part)
      .where('hour', '>=', fromDay)
      .where('hour', '<', toDay)
      .groupBy(['hour', 'via']);
    if (q.via) hq = hq.where('via', '=', q.via);
    hourly.push(...(await hq.execute()));

    const dq = db
      .selectFrom('rollup_daily')
      .select((eb) => [
        'dimension',
        'key',
        eb.fn.sum<number>('total').as('total'),
        eb.fn.sum<number>('human').as('human'),
        eb.fn.sum<number>('qr_total').as('qr_total'),
        eb.fn.sum<number>('qr_human').as('qr_human'),
      ])
      .where('workspace_id', '=', workspaceId)
      .where('scope', 'in', part)
      .where('day', '>=', fromDay)
      .where('day', '<', toDay)
      .groupBy(['dimension', 'key']);
    daily.push(...(await dq.execute()));
  }

  const totals = { total: 0, human: 0, bot: 0, unique: 0, qr: 0, link: 0 };
  const dayTotals = { total: 0, human: 0 };
  const bucketOf = bucketer(interval, tz);
  const buckets = new Map<number, { total: number; human: number; unique: number }>();
  for (let hour = fromHour; hour < toHour; hour += HOUR_MS) {
    const start = bucketOf(hour);
    if (!buckets.has(start)) buckets.set(start, { total: 0, human: 0, unique: 0 });
  }
  const via = new Map<string, Entry>();
  for (const row of hourly) {
    const total = Number(row.total);
    const human = Number(row.human);
    const unique = Number(row.uniques);
    dayTotals.total += total;
    dayTotals.human += human;
    const hour = Number(row.hour);
    if (hour < fromHour || hour >= toHour) continue;
    totals.total += total;
    totals.human += human;
    totals.unique += unique;
    if (row.via === 'qr') totals.qr += total;
    else totals.link += total;
    const v = via.get(row.via) ?? { key: row.via, total: 0, human: 0 };
    v.total += total;
    v.human += human;
    via.set(row.via, v);
    const bucket = buckets.get(bucketOf(hour));
    if (bucket) {
      bucket.total += total;
      bucket.human += human;
      bucket.unique += unique;
    }
  }
  totals.bot = totals.total - totals.human;

  const byDimension = new Map<string, Map<string, Entry>>();
  for (const row of daily) {
    // Daily rows hold both `via` together, and the QR-code part of each.
    const qrTotal = Number(row.qr_total);
    const qrHuman = Number(row.qr_human);
    const total = q.via === 'qr' ? qrTotal : Number(row.total) - (q.via === 'link' ? qrTotal : 0);
    const human = q.via === 'qr' ? qrHuman : Number(row.human) - (q.via === 'link' ? qrHuman : 0);
    if (total === 0) continue;
    let keys = byDimension.get(row.dimension);
    if (!keys) byDimension.set(row.dimension, (keys = new Map()));
    const entry = keys.get(row.key) ?? { key: row.key, total: 0, human: 0 };
    entry.total += total;
    entry.human += human;
    keys.set(row.key, entry);
  }
  for (const dimension of DIMENSIONS) {
    // The default key has no rows: it is what the days' totals hold beyond the other keys.
    const entry = { key: DEFAULT_KEYS[dimension], total: dayTotals.total, human: dayTotals.human };
    for (const other of byDimension.get(dimension)?.values() ?? []) {
      entry.total -= other.total;
      entry.human -= other.human;
    }
    if (entry.total === 0) continue;
    let keys = byDimension.get(dimension);
    if (!keys) byDimension.set(dimension, (keys = new Map()));
    keys.set(entry.key, entry);
  }
  const topOf = (entries: Iterable<Entry>) =>
    [...entries].sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1)).slice(0, top);
  const breakdowns = Object.fromEntries(
    DIMENSIONS.map((d: Dimension) => [d, topOf(byDimension.get(d)?.values() ?? [])]),
  ) as Record<Dimension, Entry[]>;

  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    interval,
    tz,
    totals,
    series: [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([t, b]) => ({ t: new Date(t).toISOString(), ...b })),
    breakdowns: { ...breakdowns, via: topOf(via.values()) },
  };
}
