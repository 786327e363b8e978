import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import type { EnrichedScan } from '../../src/analytics/enrich/index.js';
import { pruneAnalytics } from '../../src/analytics/jobs.js';
import { DAY_MS, DEFAULT_KEYS } from '../../src/analytics/rollups.js';
import { analyticsStore } from '../../src/analytics/store.js';
import { writeBatch } from '../../src/analytics/writer.js';
import { signUp, startTestApp, type Dialect, type TestApp } from '../helpers/app.js';
import { scanEvent } from '../helpers/scan-event.js';
import { postgresMissing } from '../helpers/services.js';

const pgMissing = await postgresMissing();

function event(i: number, overrides: Partial<EnrichedScan>): EnrichedScan {
  return scanEvent({ id: `evt-${i}`, visitorHash: `v${i % 3}`, ...overrides });
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
    const store = () => analyticsStore(t.app.database);

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
      expect(await writeBatch(store(), batch)).toHaveLength(30);
      const first = await rollupTotals();
      expect(Number(first.total)).toBe(30);
      expect(Number(first.uniques)).toBe(3);
      expect(await writeBatch(store(), batch)).toHaveLength(0);
      expect(
        await writeBatch(store(), [...batch.slice(0, 10), event(99, { linkId, workspaceId })]),
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
      await writeBatch(store(), [...old, ...recent]);
      const before = await rollupTotals();
      await pruneAnalytics(t.app.ctx, async () => new Map([[workspaceId, 30]]));
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

    it('rollups, uniques and scan counters equal a recount of the stored events, however the events are batched and re-applied (ANA-03)', async () => {
      const owner = await signUp(t.url, 'recount');
      const ws = owner.workspaceId;
      const links: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await owner.api.request('POST', '/api/v1/links', {
          url: `https://example.com/r${i}`,
        });
        links.push(res.body.id);
      }
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const classes = ['human', 'human', 'human', 'bot', 'unfurler', 'prefetch', 'head'] as const;
      const events = Array.from({ length: 600 }, (_, i) => {
        const trafficClass = classes[rand(classes.length)] ?? 'human';
        const human = trafficClass === 'human';
        return event(5000 + i, {
          linkId: links[rand(3)],
          workspaceId: ws,
          time: clock.now() - rand(3 * 24) * 3_600_000 - rand(3_600_000),
          via: rand(2) ? 'qr' : 'link',
          trafficClass,
          bot: !human,
          country: ['DE', 'US', null][rand(3)] ?? null,
          referrerHost: rand(2) ? 'news.example' : null,
          ruleIndex: rand(4) === 0 ? 1 : null,
          variantIndex: null,
          visitorHash: human && rand(5) > 0 ? `v${rand(12)}` : null,
        });
      });
      // Overlapping slices, one batch applied twice, one batch re-applied later in full.
      const batches = [
        events.slice(0, 250),
        events.slice(200, 400),
        events.slice(200, 400),
        events.slice(380, 600),
        events.slice(0, 600),
      ];
      let stored = 0;
      for (const batch of batches) stored += (await writeBatch(store(), batch)).length;
      expect(stored).toBe(events.length);

      const expected = new Map<string, number>();
      const add = (key: string, n: number) => expected.set(key, (expected.get(key) ?? 0) + n);
      const visitors = new Set<string>();
      for (const e of events) {
        const hour = Math.floor(e.time / 3_600_000) * 3_600_000;
        const day = Math.floor(e.time / DAY_MS) * DAY_MS;
        const human = e.trafficClass === 'human' ? 1 : 0;
        for (const scope of [e.linkId, ws]) {
          add(`h|${scope}|${hour}|${e.via}|total`, 1);
          add(`h|${scope}|${hour}|${e.via}|human`, human);
          const keys = {
            country: e.country ?? '',
            referrer: e.referrerHost ?? '',
            variant: e.ruleIndex === null ? '' : `rule ${e.ruleIndex}`,
            class: e.trafficClass,
          };
          for (const [dimension, key] of Object.entries(keys)) {
            add(`d|${scope}|${day}|${e.via}|${dimension}|${key}|total`, 1);
            add(`d|${scope}|${day}|${e.via}|${dimension}|${key}|human`, human);
          }
          // A visitor counts once per link and day, in whichever hour it was first stored.
          if (
            e.visitorHash !== null &&
            !visitors.has(`${scope}|${e.linkId}|${day}|${e.visitorHash}`)
          ) {
            visitors.add(`${scope}|${e.linkId}|${day}|${e.visitorHash}`);
            add(`u|${scope}|${day}`, 1);
          }
        }
        add(`scans|${e.linkId}`, human);
      }

      const actual = new Map<string, number>();
      const put = (key: string, n: number) => {
        if (n !== 0) actual.set(key, (actual.get(key) ?? 0) + n);
      };
      const scopes = [...links, ws];
      const db = t.app.ctx.db;
      const dayTotals = new Map<string, { total: number; human: number }>();
      for (const r of await db
        .selectFrom('rollup_hourly')
        .selectAll()
        .where('scope', 'in', scopes)
        .execute()) {
        const day = Math.floor(Number(r.hour) / DAY_MS) * DAY_MS;
        put(`h|${r.scope}|${Number(r.hour)}|${r.via}|total`, Number(r.total));
        put(`h|${r.scope}|${Number(r.hour)}|${r.via}|human`, Number(r.human));
        put(`u|${r.scope}|${day}`, Number(r.uniques));
        const dayTotal = dayTotals.get(`${r.scope}|${day}|${r.via}`) ?? { total: 0, human: 0 };
        dayTotal.total += Number(r.total);
        dayTotal.human += Number(r.human);
        dayTotals.set(`${r.scope}|${day}|${r.via}`, dayTotal);
      }
      // Daily rows hold both via together and leave each dimension's default key out: split
      // them by via, and give each default key what the day's hourly totals hold beyond the rest.
      const dimensions = ['country', 'referrer', 'variant', 'class'] as const;
      const keyed = new Map<string, { total: number; human: number }>();
      for (const r of await db
        .selectFrom('rollup_daily')
        .selectAll()
        .where('scope', 'in', scopes)
        .where('dimension', 'in', dimensions)
        .execute()) {
        const qr = { total: Number(r.qr_total), human: Number(r.qr_human) };
        const link = { total: Number(r.total) - qr.total, human: Number(r.human) - qr.human };
        for (const [via, n] of [['qr', qr] as const, ['link', link] as const]) {
          const key = `${r.scope}|${Number(r.day)}|${via}|${r.dimension}`;
          put(`d|${key}|${r.key}|total`, n.total);
          put(`d|${key}|${r.key}|human`, n.human);
          const sum = keyed.get(key) ?? { total: 0, human: 0 };
          sum.total += n.total;
          sum.human += n.human;
          keyed.set(key, sum);
        }
      }
      for (const [key, day] of dayTotals) {
        for (const dimension of dimensions) {
          const others = keyed.get(`${key}|${dimension}`) ?? { total: 0, human: 0 };
          const defaultKey = `d|${key}|${dimension}|${DEFAULT_KEYS[dimension]}`;
          put(`${defaultKey}|total`, day.total - others.total);
          put(`${defaultKey}|human`, day.human - others.human);
        }
      }
      for (const r of await db
        .selectFrom('links')
        .select(['id', 'scans'])
        .where('id', 'in', links)
        .execute()) {
        put(`scans|${r.id}`, Number(r.scans));
      }
      for (const [key, n] of expected) if (n === 0) expected.delete(key);
      expect(Object.fromEntries([...actual].sort())).toEqual(
        Object.fromEntries([...expected].sort()),
      );
      const raw = await db
        .selectFrom('scan_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('workspace_id', '=', ws)
        .executeTakeFirstOrThrow();
      expect(Number(raw.n)).toBe(events.length);
    });
  });
}
