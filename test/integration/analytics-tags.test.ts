import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import type { EnrichedScan } from '../../src/analytics/enrich/index.js';
import { analyticsStore } from '../../src/analytics/store.js';
import { tagScope } from '../../src/analytics/tag-rollups.js';
import { writeBatch } from '../../src/analytics/writer.js';
import type { Database } from '../../src/db/index.js';
import { signUp, startTestApp, type Dialect, type TestApp } from '../helpers/app.js';
import { scratchMigrations } from '../helpers/migrations.js';
import { scanEvent } from '../helpers/scan-event.js';
import { postgresMissing } from '../helpers/services.js';

const pgMissing = await postgresMissing();
const NOW = Date.parse('2026-03-01T00:00:00Z');

function event(i: number, linkId: string, workspaceId: string): EnrichedScan {
  const human = i % 4 !== 0;
  return scanEvent({
    id: `tag-evt-${linkId}-${i}`,
    time: NOW - (i % 50) * 3_600_000,
    linkId,
    workspaceId,
    via: i % 3 === 0 ? 'link' : 'qr',
    trafficClass: human ? 'human' : 'bot',
    bot: !human,
    device: human ? 'mobile' : null,
    os: human ? 'ios' : null,
    browser: human ? 'safari' : null,
    country: ['DE', 'FR', 'US'][i % 3] ?? null,
    visitorHash: human ? `v${i % 7}` : null,
  });
}

/** A tag's rollup rows, and the same rows summed from the links that carry the tag now. */
async function tagRows(database: Database, workspaceId: string, tag: string) {
  const db = database.db;
  const members = (await db.selectFrom('links').select(['id', 'tags']).execute())
    .filter((l) => (JSON.parse(l.tags) as string[]).includes(tag))
    .map((l) => l.id);
  const hourly = async (scopes: string[]) =>
    scopes.length === 0
      ? []
      : (
          await db
            .selectFrom('rollup_hourly')
            .select((eb) => [
              'hour',
              'via',
              eb.fn.sum<number>('total').as('total'),
              eb.fn.sum<number>('human').as('human'),
              eb.fn.sum<number>('uniques').as('uniques'),
            ])
            .where('scope', 'in', scopes)
            .groupBy(['hour', 'via'])
            .orderBy('hour')
            .orderBy('via')
            .execute()
        ).map((r) => [Number(r.hour), r.via, Number(r.total), Number(r.human), Number(r.uniques)]);
  const daily = async (scopes: string[]) =>
    scopes.length === 0
      ? []
      : (
          await db
            .selectFrom('rollup_daily')
            .select((eb) => [
              'day',
              'dimension',
              'key',
              eb.fn.sum<number>('total').as('total'),
              eb.fn.sum<number>('human').as('human'),
              eb.fn.sum<number>('qr_total').as('qr_total'),
              eb.fn.sum<number>('qr_human').as('qr_human'),
            ])
            .where('scope', 'in', scopes)
            .groupBy(['day', 'dimension', 'key'])
            .orderBy('day')
            .orderBy('dimension')
            .orderBy('key')
            .execute()
        ).map((r) => [
          Number(r.day),
          r.dimension,
          r.key,
          Number(r.total),
          Number(r.human),
          Number(r.qr_total),
          Number(r.qr_human),
        ]);
  const scope = tagScope(workspaceId, tag);
  return {
    own: { hourly: await hourly([scope]), daily: await daily([scope]) },
    summed: { hourly: await hourly(members), daily: await daily(members) },
  };
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(`tag rollups on ${dialect}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        dialect,
        env: { QRLINK_SIGNUP: 'open' },
        overrides: { clock: new ManualClock(NOW) },
      });
    });
    afterAll(() => t?.close());

    it('equal the sum of the links that carry the tag now, through ingest and retagging', async () => {
      const user = await signUp(t.url, 'tags');
      const ws = user.workspaceId;
      const create = async (tags: string[]) =>
        (await user.api.request('POST', '/api/v1/links', { url: 'https://example.com', tags })).body
          .id as string;
      const a = await create(['promo', 'print']);
      const b = await create(['promo']);
      const c = await create([]);
      const store = analyticsStore(t.app.database);
      const batch = (from: number, to: number) =>
        [a, b, c].flatMap((id) =>
          Array.from({ length: to - from }, (_, i) => event(from + i, id, ws)),
        );
      await writeBatch(store, batch(0, 40));
      const retag = async (id: string, tags: string[]) =>
        expect((await user.api.request('PATCH', `/api/v1/links/${id}`, { tags })).status).toBe(200);
      await retag(b, ['print']);
      await retag(c, ['Promo']);
      await writeBatch(store, batch(40, 90));
      await writeBatch(store, batch(0, 90)); // re-applied: changes nothing
      await retag(a, ['print']);

      for (const tag of ['promo', 'print']) {
        const rows = await tagRows(t.app.database, ws, tag);
        expect(rows.own.hourly.length).toBeGreaterThan(0);
        expect(rows.own).toEqual(rows.summed);
      }
      // The chart API reads the tag's rollups and agrees with the links it now holds.
      const range = `from=2026-02-25T00:00:00Z&to=2026-03-02T00:00:00Z`;
      const byTag = await user.api.request('GET', `/api/v1/analytics?tag=promo&${range}`);
      const byLink = await user.api.request('GET', `/api/v1/analytics?linkId=${c}&${range}`);
      expect(byTag.status).toBe(200);
      expect(byTag.body.totals).toEqual(byLink.body.totals);
      expect(byTag.body.totals.total).toBe(90);
      expect(byTag.body.breakdowns).toEqual(byLink.body.breakdowns);
    });
  });

  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `migration to tag rollups on ${dialect}`,
    () => {
      const scratch = scratchMigrations(dialect);

      it('fills each tag from the rollups of the links that carry it', async () => {
        const { database, migrator } = scratch();
        const before = await migrator.migrateTo('2026-11-26-03-analytics');
        expect(before.error).toBeUndefined();
        const db = database.db;
        await db
          .insertInto('workspaces')
          .values({ id: 'wsp_m', name: 'm', plan: 'free', created_at: 0 })
          .execute();
        const link = (id: string, tags: string[]) => ({
          id,
          workspace_id: 'wsp_m',
          domain: '',
          code: id,
          code_key: id.toUpperCase(),
          url: 'https://example.com',
          tags: JSON.stringify(tags),
          redirect_type: 302,
          pass_query: 0,
          status: 'active',
          track: 1,
          created_by: 'usr_m',
          created_at: 0,
          updated_at: 0,
        });
        await db
          .insertInto('links')
          .values([link('lnk_a', ['x', 'y']), link('lnk_b', ['x']), link('lnk_c', [])])
          .execute();
        const hourly = (scope: string, total: number) => ({
          scope,
          hour: NOW,
          via: 'qr',
          workspace_id: 'wsp_m',
          total,
          human: total - 1,
          uniques: 1,
        });
        await db
          .insertInto('rollup_hourly')
          .values([hourly('lnk_a', 5), hourly('lnk_b', 7), hourly('lnk_c', 11)])
          .execute();
        // Rows as the 03 schema had them, so not through today's table types.
        const daily = (scope: string, key: string, total: number) =>
          sql`(${scope}, ${NOW}, 'qr', 'country', ${key}, 'wsp_m', ${total}, ${total})`;
        await sql`
          insert into rollup_daily (scope, day, via, dimension, key, workspace_id, total, human)
          values ${sql.join([daily('lnk_a', 'DE', 2), daily('lnk_b', 'DE', 3), daily('lnk_b', 'FR', 4)])}`.execute(
          db,
        );

        const after = await migrator.migrateToLatest();
        expect(after.error).toBeUndefined();
        const rows = await sql<{ scope: string; total: number; human: number; uniques: number }>`
          select scope, total, human, uniques from rollup_hourly
          where scope like '%/tag/%' order by scope`.execute(db);
        expect(rows.rows.map((r) => [r.scope, Number(r.total), Number(r.human)])).toEqual([
          ['wsp_m/tag/x', 12, 10],
          ['wsp_m/tag/y', 5, 4],
        ]);
        const days = await sql<{ scope: string; key: string; total: number }>`
          select scope, key, total from rollup_daily
          where scope like '%/tag/%' order by scope, key`.execute(db);
        expect(days.rows.map((r) => [r.scope, r.key, Number(r.total)])).toEqual([
          ['wsp_m/tag/x', 'DE', 5],
          ['wsp_m/tag/x', 'FR', 4],
          ['wsp_m/tag/y', 'DE', 2],
        ]);
      });
    },
  );
}
