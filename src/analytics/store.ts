import type { Executor } from '../db/index.js';
import type { EnrichedScan } from './enrich/index.js';
import { DAY_MS, type DailyDelta, type HourlyDelta } from './rollups.js';

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 400;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Inserts events that are not stored yet and returns the ids actually inserted (ANA-03). */
export async function insertEvents(
  db: Executor,
  events: readonly EnrichedScan[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (const part of chunks(events)) {
    const rows = await db
      .insertInto('scan_events')
      .values(
        part.map((e) => ({
          id: e.id,
          workspace_id: e.workspaceId,
          link_id: e.linkId,
          time: e.time,
          domain: e.domain,
          via: e.via,
          traffic_class: e.trafficClass,
          status: e.status,
          rule_index: e.ruleIndex,
          variant_index: e.variantIndex,
          device: e.device,
          os: e.os,
          browser: e.browser,
          country: e.country,
          city: e.city,
          language: e.language,
          referrer_host: e.referrerHost,
          visitor_hash: e.visitorHash,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    for (const row of rows) inserted.add(row.id);
  }
  return inserted;
}

/** Records (link, day, visitor) and returns the ids of events whose visitor is new that day. */
export async function recordVisitors(
  db: Executor,
  events: readonly EnrichedScan[],
): Promise<Set<string>> {
  const firstById = new Map<string, EnrichedScan>();
  for (const e of events) {
    if (e.visitorHash === null) continue;
    const key = `${e.linkId}|${Math.floor(e.time / DAY_MS)}|${e.visitorHash}`;
    if (!firstById.has(key)) firstById.set(key, e);
  }
  const fresh = new Set<string>();
  const candidates = [...firstById.values()];
  for (const part of chunks(candidates)) {
    const rows = await db
      .insertInto('visitor_days')
      .values(
        part.map((e) => ({
          link_id: e.linkId,
          day: Math.floor(e.time / DAY_MS) * DAY_MS,
          visitor_hash: e.visitorHash as string,
        })),
      )
      .onConflict((oc) => oc.columns(['link_id', 'day', 'visitor_hash']).doNothing())
      .returning(['link_id', 'day', 'visitor_hash'])
      .execute();
    for (const row of rows) {
      const event = firstById.get(
        `${row.link_id}|${Math.floor(row.day / DAY_MS)}|${row.visitor_hash}`,
      );
      if (event) fresh.add(event.id);
    }
  }
  return fresh;
}

export async function addHourly(db: Executor, deltas: readonly HourlyDelta[]): Promise<void> {
  for (const part of chunks(deltas)) {
    await db
      .insertInto('rollup_hourly')
      .values(
        part.map((d) => ({
          scope: d.scope,
          hour: d.hour,
          via: d.via,
          workspace_id: d.workspaceId,
          total: d.total,
          human: d.human,
          uniques: d.uniques,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['scope', 'hour', 'via']).doUpdateSet((eb) => ({
          total: eb('rollup_hourly.total', '+', eb.ref('excluded.total')),
          human: eb('rollup_hourly.human', '+', eb.ref('excluded.human')),
          uniques: eb('rollup_hourly.uniques', '+', eb.ref('excluded.uniques')),
        })),
      )
      .execute();
  }
}

export async function addDaily(db: Executor, deltas: readonly DailyDelta[]): Promise<void> {
  for (const part of chunks(deltas)) {
    await db
      .insertInto('rollup_daily')
      .values(
        part.map((d) => ({
          scope: d.scope,
          day: d.day,
          via: d.via,
          dimension: d.dimension,
          key: d.key,
          workspace_id: d.workspaceId,
          total: d.total,
          human: d.human,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['scope', 'day', 'via', 'dimension', 'key']).doUpdateSet((eb) => ({
          total: eb('rollup_daily.total', '+', eb.ref('excluded.total')),
          human: eb('rollup_daily.human', '+', eb.ref('excluded.human')),
        })),
      )
      .execute();
  }
}

export async function addHumanScans(
  db: Executor,
  counts: ReadonlyMap<string, number>,
): Promise<void> {
  // tenant-exempt: link ids come from stored scan events of this batch, never from a request
  for (const [id, n] of counts) {
    await db
      .updateTable('links')
      .set((eb) => ({ scans: eb('scans', '+', n) }))
      .where('id', '=', id)
      .execute();
  }
}
