import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import type { EnrichedScan } from './enrich/index.js';
import { DAY_MS, type DailyDelta, type HourlyDelta } from './rollups.js';
import type { AnalyticsStore } from './store.js';

/**
 * PostgreSQL: one statement per table per batch, the rows passed as one array per column and
 * expanded by unnest(): one parse, one plan and one round trip whatever the batch size, and no
 * parameter limit. Rollup rows are upserted in key order so that concurrent writers (one per
 * cluster worker) lock shared rows in the same order and cannot deadlock.
 */
export function postgresStore(database: Database): AnalyticsStore {
  return {
    database,

    async insertEvents(tx, events) {
      if (events.length === 0) return [];
      const column = <T>(pick: (e: EnrichedScan) => T) => events.map(pick);
      const { rows } = await sql<{ id: string }>`
        insert into scan_events (id, workspace_id, link_id, time, domain, via, traffic_class,
          status, rule_index, variant_index, device, os, browser, country, city, language,
          referrer_host, visitor_hash)
        select * from unnest(
          ${column((e) => e.id)}::text[], ${column((e) => e.workspaceId)}::text[],
          ${column((e) => e.linkId)}::text[], ${column((e) => e.time)}::int8[],
          ${column((e) => e.domain)}::text[], ${column((e) => e.via)}::text[],
          ${column((e) => e.trafficClass)}::text[], ${column((e) => e.status)}::int4[],
          ${column((e) => e.ruleIndex)}::int4[], ${column((e) => e.variantIndex)}::int4[],
          ${column((e) => e.device)}::text[], ${column((e) => e.os)}::text[],
          ${column((e) => e.browser)}::text[], ${column((e) => e.country)}::text[],
          ${column((e) => e.city)}::text[], ${column((e) => e.language)}::text[],
          ${column((e) => e.referrerHost)}::text[], ${column((e) => e.visitorHash)}::text[])
        on conflict (id) do nothing
        returning id`.execute(tx);
      if (rows.length === events.length) return [...events];
      const inserted = new Set(rows.map((r) => r.id));
      return events.filter((e) => inserted.has(e.id));
    },

    async linkTags(tx, linkIds) {
      const tags = new Map<string, string[]>();
      if (linkIds.length === 0) return tags;
      // Locked in id order by every writer, before any rollup row: no deadlock.
      const { rows } = await sql<{ id: string; tags: string }>`
        select id, tags from links where id = any(${linkIds}::text[])
        order by id for no key update`.execute(tx);
      for (const row of rows) {
        if (row.tags !== '[]') tags.set(row.id, JSON.parse(row.tags) as string[]);
      }
      return tags;
    },

    async recordVisitors(tx, events) {
      const firstByKey = new Map<string, EnrichedScan>();
      for (const e of events) {
        if (e.visitorHash === null) continue;
        const key = `${e.linkId}|${Math.floor(e.time / DAY_MS) * DAY_MS}|${e.visitorHash}`;
        if (!firstByKey.has(key)) firstByKey.set(key, e);
      }
      const fresh = new Set<string>();
      if (firstByKey.size === 0) return fresh;
      const candidates = [...firstByKey.keys()]
        .sort(compare)
        .map((key) => firstByKey.get(key) as EnrichedScan);
      const { rows } = await sql<{ link_id: string; day: number; visitor_hash: string }>`
        insert into visitor_days (link_id, day, visitor_hash)
        select * from unnest(
          ${candidates.map((e) => e.linkId)}::text[],
          ${candidates.map((e) => Math.floor(e.time / DAY_MS) * DAY_MS)}::int8[],
          ${candidates.map((e) => e.visitorHash)}::text[])
        on conflict (link_id, day, visitor_hash) do nothing
        returning link_id, day, visitor_hash`.execute(tx);
      for (const row of rows) {
        const event = firstByKey.get(`${row.link_id}|${Number(row.day)}|${row.visitor_hash}`);
        if (event) fresh.add(event.id);
      }
      return fresh;
    },

    async addHourly(tx, deltas: readonly HourlyDelta[]) {
      if (deltas.length === 0) return;
      const rows = [...deltas].sort(
        (a, b) => compare(a.scope, b.scope) || a.hour - b.hour || compare(a.via, b.via),
      );
      await sql`
        insert into rollup_hourly as r (scope, hour, via, workspace_id, total, human, uniques)
        select * from unnest(
          ${rows.map((d) => d.scope)}::text[], ${rows.map((d) => d.hour)}::int8[],
          ${rows.map((d) => d.via)}::text[], ${rows.map((d) => d.workspaceId)}::text[],
          ${rows.map((d) => d.total)}::int8[], ${rows.map((d) => d.human)}::int8[],
          ${rows.map((d) => d.uniques)}::int8[])
        on conflict (scope, hour, via) do update set
          total = r.total + excluded.total,
          human = r.human + excluded.human,
          uniques = r.uniques + excluded.uniques`.execute(tx);
    },

    async addDaily(tx, deltas: readonly DailyDelta[]) {
      if (deltas.length === 0) return;
      const rows = [...deltas].sort(
        (a, b) =>
          compare(a.scope, b.scope) ||
          a.day - b.day ||
          compare(a.dimension, b.dimension) ||
          compare(a.key, b.key),
      );
      await sql`
        insert into rollup_daily as r (scope, day, dimension, key, workspace_id, total, human,
          qr_total, qr_human)
        select * from unnest(
          ${rows.map((d) => d.scope)}::text[], ${rows.map((d) => d.day)}::int8[],
          ${rows.map((d) => d.dimension)}::text[], ${rows.map((d) => d.key)}::text[],
          ${rows.map((d) => d.workspaceId)}::text[], ${rows.map((d) => d.total)}::int8[],
          ${rows.map((d) => d.human)}::int8[], ${rows.map((d) => d.qrTotal)}::int8[],
          ${rows.map((d) => d.qrHuman)}::int8[])
        on conflict (scope, day, dimension, key) do update set
          total = r.total + excluded.total,
          human = r.human + excluded.human,
          qr_total = r.qr_total + excluded.qr_total,
          qr_human = r.qr_human + excluded.qr_human`.execute(tx);
    },

    async addHumanScans(tx, counts) {
      if (counts.size === 0) return;
      const ids = [...counts.keys()].sort(compare);
      // Link ids are unique across workspaces: the events carry the link's own workspace.
      await sql`
        update links set scans = links.scans + d.n
        from unnest(${ids}::text[], ${ids.map((id) => counts.get(id) ?? 0)}::int8[]) as d(id, n)
        where links.id = d.id`.execute(tx);
    },
  };
}

/** Byte order, as PostgreSQL's "C" collation would sort; any fixed order prevents deadlocks. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
