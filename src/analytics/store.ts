import type { Transaction } from 'kysely';
import type { Database, DB } from '../db/index.js';
import type { EnrichedScan } from './enrich/index.js';
import type { DailyDelta, HourlyDelta } from './rollups.js';
import { postgresStore } from './store-postgres.js';
import { sqliteStore } from './store-sqlite.js';

/**
 * The writes of one analytics batch, implemented once per dialect with the same function names
 * (store-sqlite.ts: prepared statements on the better-sqlite3 handle; store-postgres.ts: one
 * statement per table per batch over unnest() arrays). Every function runs inside the batch's
 * transaction `tx`.
 */
export interface AnalyticsStore {
  readonly database: Database;
  /** Inserts the events not stored yet and returns them, in batch order (ANA-03). */
  insertEvents(tx: Transaction<DB>, events: readonly EnrichedScan[]): Promise<EnrichedScan[]>;
  /**
   * The current tags of these links, each link row locked until the batch commits (PostgreSQL)
   * so that a concurrent tag change waits for it (see tag-rollups.ts).
   */
  linkTags(tx: Transaction<DB>, linkIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Records (link, day, visitor) and returns the ids of events whose visitor is new that day. */
  recordVisitors(tx: Transaction<DB>, events: readonly EnrichedScan[]): Promise<Set<string>>;
  addHourly(tx: Transaction<DB>, deltas: readonly HourlyDelta[]): Promise<void>;
  addDaily(tx: Transaction<DB>, deltas: readonly DailyDelta[]): Promise<void>;
  /** Adds human scans to each link's counter (scan limits read it). */
  addHumanScans(tx: Transaction<DB>, counts: ReadonlyMap<string, number>): Promise<void>;
}

/** Chosen once per database (app.ts, tests, benchmarks). */
export function analyticsStore(database: Database): AnalyticsStore {
  return database.sqlite ? sqliteStore(database, database.sqlite) : postgresStore(database);
}
