import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { DAY_MS } from '../../src/analytics/rollups.js';
import { analyticsStore } from '../../src/analytics/store.js';
import { writeBatch } from '../../src/analytics/writer.js';
import { signUp, startTestApp, type Dialect, type TestApp, type TestUser } from '../helpers/app.js';
import { scanEvent } from '../helpers/scan-event.js';
import { postgresMissing } from '../helpers/services.js';
import { startStripeStub, subscriptionObject, type StripeStub } from '../helpers/stripe-stub.js';

/**
 * The plan in force (base plan, or the subscription's while it is active) decides everything:
 * retention of raw events (PRV-06) and the plan the API shows. A free workspace paying for Pro
 * keeps 365 days of events, not the free plan's 30.
 */
const pgMissing = await postgresMissing();

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(`the plan in force on ${dialect}`, () => {
    let t: TestApp;
    let stub: StripeStub;
    let subscribed: TestUser;
    let unsubscribed: TestUser;
    const clock = new ManualClock(Date.now());

    beforeAll(async () => {
      stub = await startStripeStub();
      t = await startTestApp({
        dialect,
        env: {
          QRLINK_SIGNUP: 'open',
          STRIPE_SECRET_KEY: 'sk_test_stub',
          STRIPE_WEBHOOK_SECRET: 'whsec_plan_in_force',
          QRLINK_STRIPE_PRICES: 'pro=price_pro',
        },
        overrides: { stripe: stub.client, clock },
      });
      subscribed = await signUp(t.url, 'pro');
      unsubscribed = await signUp(t.url, 'free');
      // Stripe reports an active Pro subscription; the daily reconciliation stores it.
      stub.subscriptions.push(
        subscriptionObject({
          id: `sub_${subscribed.workspaceId}`,
          customer: `cus_${subscribed.workspaceId}`,
          workspaceId: subscribed.workspaceId,
          status: 'active',
          priceId: 'price_pro',
        }),
      );
      await t.app.billing.processor?.reconcile();
    });
    afterAll(async () => {
      await t?.close();
      await stub?.close();
    });

    async function eventsOlderThan(user: TestUser, days: number): Promise<string[]> {
      const link = await user.api.request('POST', '/api/v1/links', {
        url: 'https://example.com/retention',
      });
      expect(link.status).toBe(201);
      const time = clock.now() - days * DAY_MS;
      const events = Array.from({ length: 3 }, (_, i) =>
        scanEvent({
          id: `evt-${user.workspaceId}-${days}-${i}`,
          time,
          linkId: link.body.id,
          workspaceId: user.workspaceId,
        }),
      );
      expect(await writeBatch(analyticsStore(t.app.database), events)).toHaveLength(3);
      return events.map((e) => e.id);
    }

    async function stored(ids: string[]): Promise<number> {
      const rows = await t.app.ctx.db
        .selectFrom('scan_events')
        .select('id')
        .where('id', 'in', ids)
        .execute();
      return rows.length;
    }

    it('keeps 40-day-old events of a free workspace with an active Pro subscription; a free one without loses them', async () => {
      const paying = await eventsOlderThan(subscribed, 40);
      const free = await eventsOlderThan(unsubscribed, 40);
      await t.app.jobs.run('analytics-retention');
      expect(await stored(paying)).toBe(3);
      expect(await stored(free)).toBe(0);
    });

    it('shows the plan in force as plan, and the stored one as basePlan', async () => {
      const one = await subscribed.session.request(
        'GET',
        `/api/v1/workspaces/${subscribed.workspaceId}`,
      );
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ plan: 'pro', basePlan: 'free' });
      const list = await subscribed.session.request('GET', '/api/v1/workspaces');
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: subscribed.workspaceId, plan: 'pro', basePlan: 'free' }),
      ]);
      const renamed = await subscribed.session.request(
        'PATCH',
        `/api/v1/workspaces/${subscribed.workspaceId}`,
        { name: 'renamed' },
      );
      expect(renamed.body).toMatchObject({ plan: 'pro', basePlan: 'free' });
      const billing = await subscribed.api.request('GET', '/api/v1/billing');
      expect(billing.body).toMatchObject({ plan: 'pro', basePlan: 'free' });

      const free = await unsubscribed.session.request(
        'GET',
        `/api/v1/workspaces/${unsubscribed.workspaceId}`,
      );
      expect(free.body).toMatchObject({ plan: 'free', basePlan: 'free' });
    });
  });
}
