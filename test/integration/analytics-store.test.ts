import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import type { EnrichedScan } from '../../src/analytics/enrich/index.js';
import { pruneAnalytics } from '../../src/analytics/jobs.js';
import { DAY_MS } from '../../src/analytics/rollups.js';
import { writeBatch } from '../../src/analytics/writer.js';
import { signUp, startTestApp, type Dialect, type TestApp } from '../helpers/app.js';
import { postgresMissing } from '../helpers/services.js';

const pgMissing = await postgresMissing();

function event(i: number, overrides: Partial<EnrichedScan>): EnrichedScan {
  return {
    id: `evt-${i}`,
    time: Date.parse('2026-01-10T12:00:00Z'),
    linkId: 'lnk_x',
    workspaceId: 'wsp_x',
    domain: '',
    via: 'qr',
    ruleIndex: null,
    variantIndex: null,
    status: 302,
    trafficClass: 'human',
    bot: false,
    device: 'mobile',
    os: 'ios',
    browser: 'safari',
    country: 'DE',
    city: null,
    language: 'de',
    referrerHost: null,
    visitorHash: `v${i % 3}`,
    ...overrides,
  };
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(`analytics storage on ${dialect}`, () => {
    let t: TestApp;
    const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
    let workspaceId: string;
    let linkId: string;
    beforeAll(async () => {
      t = await startTestApp({
        dialect,
        env: { QRLINK_SIGNUP: 'open', QRLINK_DEFAULT_PLAN: 'free' },
        overrides: { clock },
      });
      const user = await signUp(t.url);
      workspaceId = user.workspaceId;
      const link = await user.api.request('POST', '/api/v1/links', {
        url: 'https://example.com/s',
      });
      linkId = link.body.id;
    });
    afterAll(() => t?.close());

    const rollupTotals = async () =>
      t.app.ctx.db
        .selectFrom('rollup_hourly')
        .select((eb) => [
          eb.fn.sum<number>('total').as('total'),
          eb.fn.sum<number>('uniques').as('uniques'),
        ])
        .where('scope', '=', linkId)
        .executeTakeFirstOrThrow();

    it('stores a batch once: re-applying it (or part of it) changes nothing (ANA-03)', async () => {
      const batch = Array.from({ length: 30 }, (_, i) => event(i, { linkId, workspaceId }));
      expect(await writeBatch(t.app.ctx.db, batch)).toHaveLength(30);
      const first = await rollupTotals();
      expect(Number(first.total)).toBe(30);
      expect(Number(first.uniques)).toBe(3);
      expect(await writeBatch(t.app.ctx.db, batch)).toHaveLength(0);
      expect(
        await writeBatch(t.app.ctx.db, [...batch.slice(0, 10), event(99, { linkId, workspaceId })]),
      ).toHaveLength(1);
      const after = await rollupTotals();
      expect(Number(after.total)).toBe(31);
      expect(Number(after.uniques)).toBe(3);
      const link = await t.app.ctx.db
        .selectFrom('links')
        .select('scans')
        .where('id', '=', linkId)
        .executeTakeFirstOrThrow();
      expect(Number(link.scans)).toBe(31);
    });

    it('deletes raw events past the plan retention in bulk and keeps rollups (PRV-06)', async () => {
      const old = Array.from({ length: 12 }, (_, i) =>
        event(1000 + i, {
          linkId,
          workspaceId,
          time: clock.now() - 40 * DAY_MS,
          visitorHash: null,
        }),
      );
      const recent = Array.from({ length: 5 }, (_, i) =>
        event(2000 + i, { linkId, workspaceId, time: clock.now() - 2 * DAY_MS, visitorHash: null }),
      );
      await writeBatch(t.app.ctx.db, [...old, ...recent]);
      const before = await rollupTotals();
      await pruneAnalytics(t.app.ctx, (plan) => (plan === 'free' ? 30 : null));
      const remaining = await t.app.ctx.db
        .selectFrom('scan_events')
        .select('id')
        .where('link_id', '=', linkId)
        .where('time', '<', clock.now() - 30 * DAY_MS)
        .execute();
      expect(remaining).toHaveLength(0);
      const kept = await t.app.ctx.db
        .selectFrom('scan_events')
        .select('id')
        .where(
          'id',
          'in',
          recent.map((e) => e.id),
        )
        .execute();
      expect(kept).toHaveLength(5);
      expect(await rollupTotals()).toEqual(before);
    });
  });
}
