import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIMENSIONS } from '../../src/analytics/rollups.js';
import type { Dialect } from '../helpers/app.js';
import { scratchMigrations } from '../helpers/migrations.js';
import { postgresMissing } from '../helpers/services.js';

const pgMissing = await postgresMissing();
const DAY = Date.parse('2026-03-01T00:00:00Z');
const BEFORE = '2026-11-26-06-analytics-storage';

type OldDailyRow = [
  scope: string,
  via: string,
  dimension: string,
  key: string,
  total: number,
  human: number,
];

/**
 * One link's day as the writer stored it before the migration: per `via`, 5 QR scans (4 human)
 * and 3 link clicks (1 human), each counted once in every dimension, default keys included.
 */
function oldDailyRows(): OldDailyRow[] {
  const rows: OldDailyRow[] = [
    ['lnk_a', 'qr', 'country', 'DE', 3, 3],
    ['lnk_a', 'qr', 'country', '', 2, 1],
    ['lnk_a', 'link', 'country', 'DE', 1, 1],
    ['lnk_a', 'link', 'country', 'FR', 2, 0],
    ['lnk_a', 'qr', 'class', 'human', 4, 4],
    ['lnk_a', 'qr', 'class', 'bot', 1, 0],
    ['lnk_a', 'link', 'class', 'human', 1, 1],
    ['lnk_a', 'link', 'class', 'bot', 2, 0],
    ['lnk_a', 'qr', 'referrer', '', 5, 4],
    ['lnk_a', 'link', 'referrer', 'news.example', 3, 1],
  ];
  for (const dimension of DIMENSIONS) {
    if (rows.some((r) => r[2] === dimension)) continue;
    rows.push(['lnk_a', 'qr', dimension, '', 5, 4], ['lnk_a', 'link', dimension, '', 3, 1]);
  }
  return rows;
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `migration to compact daily rollups on ${dialect}`,
    () => {
      const scratch = scratchMigrations(dialect);

      it('folds via into QR columns, drops default keys, and restores both on the way down', async () => {
        const { database, migrator } = scratch();
        expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
        const db = database.db;
        // Rows as the 06 schema had them, so not through today's table types.
        await sql`
          insert into rollup_hourly (scope, hour, via, workspace_id, total, human, uniques)
          values ('lnk_a', ${DAY + 3_600_000}, 'qr', 'wsp_m', 5, 4, 2),
            ('lnk_a', ${DAY + 7_200_000}, 'link', 'wsp_m', 3, 1, 1)`.execute(db);
        const rows = oldDailyRows();
        await sql`
          insert into rollup_daily (scope, day, via, dimension, key, workspace_id, total, human)
          values ${sql.join(
            rows.map(
              ([scope, via, dimension, key, total, human]) =>
                sql`(${scope}, ${DAY}, ${via}, ${dimension}, ${key}, 'wsp_m', ${total}, ${human})`,
            ),
          )}`.execute(db);

        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        const compact = await sql<{
          dimension: string;
          key: string;
          total: number;
          human: number;
          qr_total: number;
          qr_human: number;
        }>`
          select dimension, key, total, human, qr_total, qr_human from rollup_daily
          order by dimension, key`.execute(db);
        expect(
          compact.rows.map((r) => [
            r.dimension,
            r.key,
            Number(r.total),
            Number(r.human),
            Number(r.qr_total),
            Number(r.qr_human),
          ]),
        ).toEqual([
          ['class', 'bot', 3, 0, 1, 0],
          ['country', 'DE', 4, 4, 3, 3],
          ['country', 'FR', 2, 0, 0, 0],
          ['referrer', 'news.example', 3, 1, 0, 0],
        ]);

        expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
        const restored = await sql<{
          scope: string;
          day: number;
          via: string;
          dimension: string;
          key: string;
          total: number;
          human: number;
        }>`select scope, day, via, dimension, key, total, human from rollup_daily`.execute(db);
        expect(Number(restored.rows[0]?.day)).toBe(DAY);
        const sorted = (list: OldDailyRow[]) => list.map((r) => JSON.stringify(r)).sort();
        expect(
          sorted(
            restored.rows.map((r) => [
              r.scope,
              r.via,
              r.dimension,
              r.key,
              Number(r.total),
              Number(r.human),
            ]),
          ),
        ).toEqual(sorted(rows));
      });
    },
  );
}
