import type SqliteDatabase from 'better-sqlite3';
import type { Database } from '../db/index.js';
import type { EnrichedScan } from './enrich/index.js';
import { DAY_MS, type DailyDelta, type HourlyDelta } from './rollups.js';
import type { AnalyticsStore } from './store.js';

/**
 * SQLite: one prepared statement per table, run row by row on the better-sqlite3 handle. The
 * caller holds a Kysely transaction, and SQLite has one connection, so these statements run
 * inside it (and nothing else can interleave: they are synchronous). A row costs a few µs
 * this way, against tens through Kysely's query builder.
 */
export function sqliteStore(database: Database, sqlite: SqliteDatabase.Database): AnalyticsStore {
  let prepared: ReturnType<typeof prepare> | undefined;
  // Prepared on first use: the tables exist only once migrations have run.
  const statements = () => (prepared ??= prepare(sqlite));

  return {
    database,

    async insertEvents(_tx, events) {
      const { insertEvent } = statements();
      const fresh: EnrichedScan[] = [];
      for (const e of events) {
        const { changes } = insertEvent.run(
          e.id,
          e.workspaceId,
          e.linkId,
          e.time,
          e.domain,
          e.via,
          e.trafficClass,
          e.status,
          e.ruleIndex,
          e.variantIndex,
          e.device,
          e.os,
          e.browser,
          e.country,
          e.city,
          e.language,
          e.referrerHost,
          e.visitorHash,
        );
        if (changes === 1) fresh.push(e);
      }
      return fresh;
    },

    async linkTags(_tx, linkIds) {
      const { selectTags } = statements();
      const tags = new Map<string, string[]>();
      for (const id of linkIds) {
        const row = selectTags.get(id) as { tags: string } | undefined;
        if (row && row.tags !== '[]') tags.set(id, JSON.parse(row.tags) as string[]);
      }
      return tags;
    },

    async recordVisitors(_tx, events) {
      const { insertVisitor } = statements();
      const fresh = new Set<string>();
      for (const e of events) {
        if (e.visitorHash === null) continue;
        const day = Math.floor(e.time / DAY_MS) * DAY_MS;
        // The first event of a visitor in the batch inserts the row; later ones find it.
        if (insertVisitor.run(e.linkId, day, e.visitorHash).changes === 1) fresh.add(e.id);
      }
      return fresh;
    },

    async addHourly(_tx, deltas: readonly HourlyDelta[]) {
      const { addHourly } = statements();
      for (const d of deltas) {
        addHourly.run(d.scope, d.hour, d.via, d.workspaceId, d.total, d.human, d.uniques);
      }
    },

    async addDaily(_tx, deltas: readonly DailyDelta[]) {
      const { addDaily } = statements();
      for (const d of deltas) {
        addDaily.run(
          d.scope,
          d.day,
          d.dimension,
          d.key,
          d.workspaceId,
          d.total,
          d.human,
          d.qrTotal,
          d.qrHuman,
        );
      }
    },

    async addHumanScans(_tx, counts) {
      const { addScans } = statements();
      for (const [linkId, n] of counts) addScans.run(n, linkId);
    },
  };
}

function prepare(sqlite: SqliteDatabase.Database) {
  return {
    insertEvent: sqlite.prepare(
      `insert into scan_events (id, workspace_id, link_id, time, domain, via, traffic_class,
        status, rule_index, variant_index, device, os, browser, country, city, language,
        referrer_host, visitor_hash)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (id) do nothing`,
    ),
    insertVisitor: sqlite.prepare(
      `insert into visitor_days (link_id, day, visitor_hash) values (?, ?, ?)
       on conflict (link_id, day, visitor_hash) do nothing`,
    ),
    addHourly: sqlite.prepare(
      `insert into rollup_hourly (scope, hour, via, workspace_id, total, human, uniques)
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict (scope, hour, via) do update set
         total = total + excluded.total,
         human = human + excluded.human,
         uniques = uniques + excluded.uniques`,
    ),
    addDaily: sqlite.prepare(
      `insert into rollup_daily (scope, day, dimension, key, workspace_id, total, human, qr_total,
         qr_human)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (scope, day, dimension, key) do update set
         total = total + excluded.total,
         human = human + excluded.human,
         qr_total = qr_total + excluded.qr_total,
         qr_human = qr_human + excluded.qr_human`,
    ),
    selectTags: sqlite.prepare(`select tags from links where id = ?`),
    // Link ids are unique across workspaces: the events carry the link's own workspace.
    addScans: sqlite.prepare(`update links set scans = scans + ? where id = ?`),
  };
}
