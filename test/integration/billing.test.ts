import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { setCustomer } from '../../src/billing/repo.js';
import { newId } from '../../src/shared/ids.js';
import { insertWorkspace } from '../../src/workspaces/repo.js';
import { caller, signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { addMember } from '../helpers/fixtures.js';
import { rawRequest } from '../helpers/http.js';
import { startMailCatcher, type MailCatcher } from '../helpers/smtp.js';
import {
  eventObject,
  invoiceObject,
  startStripeStub,
  subscriptionObject,
  type StripeStub,
} from '../helpers/stripe-stub.js';

const WEBHOOK_SECRET = 'whsec_test_secret';
const DAY = 86_400_000;

describe('billing with Stripe (offline)', () => {
  let t: TestApp;
  let stub: StripeStub;
  let mail: MailCatcher;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    stub = await startStripeStub();
    mail = await startMailCatcher();
    t = await startTestApp({
      env: {
        QRLINK_SIGNUP: 'open',
        QRLINK_BASE_URL: 'http://127.0.0.1:8080',
        STRIPE_SECRET_KEY: 'sk_test_stub',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        QRLINK_STRIPE_PRICES: 'pro=price_pro,business=price_business',
        QRLINK_SMTP_URL: mail.url,
      },
      overrides: { stripe: stub.client, clock },
    });
  });
  afterAll(async () => {
    await t?.close();
    await stub?.close();
    await mail?.close();
  });

  const processor = () => {
    const p = t.app.billing.processor;
    if (!p) throw new Error('billing processor missing');
    return p;
  };

  function sign(payload: string, timestamp = Math.floor(Date.now() / 1000)): string {
    return stub.client.webhooks.generateTestHeaderString({
      payload,
      secret: WEBHOOK_SECRET,
      timestamp,
    });
  }

  async function deliver(
    event: Record<string, unknown>,
    options: {
      timestamp?: number;
      mutate?: (body: string) => string;
      signature?: string | null;
    } = {},
  ) {
    const payload = JSON.stringify(event);
    const signature =
      options.signature === undefined ? sign(payload, options.timestamp) : options.signature;
    const res = await rawRequest(t.url, '/api/v1/billing/webhook', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'stripe-signature': signature }),
      },
      body: options.mutate ? options.mutate(payload) : payload,
    });
    return res;
  }

  async function billingOf(user: TestUser) {
    await processor().drain();
    return (await user.api.request('GET', '/api/v1/billing')).body;
  }

  const eventCount = async () =>
    Number(
      (
        await t.app.ctx.db
          .selectFrom('stripe_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('webhook signatures (BIL-01)', () => {
    it('refuses a missing or bad signature, a changed byte and a 301 s old one, changing nothing; takes 299 s', async () => {
      const user = await signUp(t.url);
      const sub = subscriptionObject({
        id: 'sub_sig',
        customer: 'cus_sig',
        workspaceId: user.workspaceId,
        status: 'active',
        priceId: 'price_pro',
      });
      const event = eventObject(
        'evt_sig',
        'customer.subscription.created',
        Math.floor(Date.now() / 1000),
        sub,
      );
      const before = await eventCount();
      const now = Math.floor(Date.now() / 1000);
      const refusals = [
        await deliver(event, { signature: null }),
        await deliver(event, { signature: 't=1,v1=deadbeef' }),
        await deliver(event, {
          signature: stub.client.webhooks.generateTestHeaderString({
            payload: JSON.stringify(event),
            secret: 'whsec_other',
          }),
        }),
        await deliver(event, { mutate: (body) => body.replace('"active"', '"activf"') }),
        await deliver(event, { timestamp: now - 301 }),
      ];
      for (const res of refusals) {
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      expect(await eventCount()).toBe(before);
      expect((await billingOf(user)).plan).toBe('free');
      const accepted = await deliver(event, { timestamp: now - 299 });
      expect(accepted.status).toBe(200);
      expect((await billingOf(user)).plan).toBe('pro');
    });
  });

  describe('replays (BIL-02)', () => {
    it('changes state once for 5 sequential and 5 concurrent deliveries, and sends one dunning e-mail', async () => {
      const user = await signUp(t.url);
      const created = Math.floor(Date.now() / 1000);
      const failed = eventObject(
        `evt_fail_${user.workspaceId}`,
        'invoice.payment_failed',
        created,
        invoiceObject({
          id: `in_${user.workspaceId}`,
          customer: 'cus_r',
          workspaceId: user.workspaceId,
          subscription: 'sub_r',
        }),
      );
      for (let i = 0; i < 5; i++) expect((await deliver(failed)).status).toBe(200);
      const concurrent = eventObject(
        `evt_sub_${user.workspaceId}`,
        'customer.subscription.updated',
        created,
        subscriptionObject({
          id: 'sub_r',
          customer: 'cus_r',
          workspaceId: user.workspaceId,
          status: 'past_due',
          priceId: 'price_pro',
        }),
      );
      const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(concurrent)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      await processor().drain();
      const rows = await t.app.ctx.db
        .selectFrom('stripe_events')
        .select(['id', 'processed_at'])
        .where('id', 'in', [failed.id as string, concurrent.id as string])
        .execute();
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.processed_at !== null)).toBe(true);
      const billing = await billingOf(user);
      expect(billing).toMatchObject({ plan: 'pro', status: 'past_due', banner: 'payment_failed' });
      await mail.waitFor(
        (m) =>
          m.subject === 'Your qrlink payment failed' && JSON.stringify(m.to).includes(user.email),
      );
      const dunning = mail.messages.filter((m) => JSON.stringify(m.to).includes(user.email));
      expect(dunning).toHaveLength(1);
      // A retry of the same invoice attempt never mails again; the next attempt does.
      await deliver(
        eventObject(
          `evt_fail2_${user.workspaceId}`,
          'invoice.payment_failed',
          created + 60,
          invoiceObject({
            id: `in_${user.workspaceId}`,
            customer: 'cus_r',
            workspaceId: user.workspaceId,
            subscription: 'sub_r',
            attempt: 2,
          }),
        ),
      );
      await processor().drain();
      await mail.waitFor(
        (m) =>
          JSON.stringify(m.to).includes(user.email) &&
          mail.messages.filter((x) => JSON.stringify(x.to).includes(user.email)).length === 2,
      );
    });
  });

  describe('out-of-order delivery (BIL-03)', () => {
    it('converges to the same state for all 720 orders of a 6-event scenario', async () => {
      const base = Math.floor(Date.now() / 1000) - 3600;
      const scenario = (ws: string, n: number) => {
        const sub = (status: string) =>
          subscriptionObject({
            id: `sub_o${n}`,
            customer: `cus_o${n}`,
            workspaceId: ws,
            status,
            priceId: 'price_business',
          });
        const inv = (id: string) =>
          invoiceObject({
            id: `in_o${n}_${id}`,
            customer: `cus_o${n}`,
            workspaceId: ws,
            subscription: `sub_o${n}`,
          });
        return [
          eventObject(`evt_o${n}_1`, 'checkout.session.completed', base, {
            id: `cs_o${n}`,
            object: 'checkout.session',
            client_reference_id: ws,
            metadata: { workspaceId: ws },
            customer: `cus_o${n}`,
            subscription: `sub_o${n}`,
          }),
          eventObject(`evt_o${n}_2`, 'customer.subscription.created', base, sub('incomplete')),
          eventObject(`evt_o${n}_3`, 'invoice.paid', base + 1, inv('a')),
          eventObject(`evt_o${n}_4`, 'customer.subscription.updated', base + 1, sub('active')),
          eventObject(`evt_o${n}_5`, 'invoice.payment_failed', base + 100, inv('b')),
          eventObject(`evt_o${n}_6`, 'customer.subscription.updated', base + 100, sub('past_due')),
        ];
      };
      const permutations = (n: number): number[][] =>
        n === 0
          ? [[]]
          : permutations(n - 1).flatMap((p) =>
              Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
            );
      const orders = permutations(6);
      expect(orders).toHaveLength(720);
      const workspaces: string[] = [];
      for (const [n, order] of orders.entries()) {
        const ws = newId('wsp');
        await insertWorkspace(t.app.ctx.db, {
          id: ws,
          name: `perm ${n}`,
          plan: 'free',
          now: clock.now(),
        });
        workspaces.push(ws);
        const events = scenario(ws, n);
        for (const index of order) {
          const payload = JSON.stringify(events[index]);
          await processor().receive(Buffer.from(payload), sign(payload));
        }
      }
      await processor().drain();
      const states = new Set<string>();
      for (const [n, ws] of workspaces.entries()) {
        const row = await t.app.ctx.db
          .selectFrom('subscriptions')
          .selectAll()
          .where('workspace_id', '=', ws)
          .executeTakeFirstOrThrow();
        const current = await t.app.billing.entitlements.current(t.app.ctx.db, ws);
        states.add(
          JSON.stringify({
            status: row.status,
            plan: row.plan,
            customer: row.customer_id?.replace(`cus_o${n}`, 'cus'),
            subscription: row.subscription_id?.replace(`sub_o${n}`, 'sub'),
            effective: current.billing,
          }),
        );
      }
      expect([...states]).toEqual([
        JSON.stringify({
          status: 'past_due',
          plan: 'business',
          customer: 'cus',
          subscription: 'sub',
          effective: {
            plan: 'business',
            status: 'past_due',
            graceUntil: (base + 100) * 1000 + 14 * DAY,
            banner: 'payment_failed',
          },
        }),
      ]);
    }, 120_000);
  });

  describe('grace period and downgrade (injectable clock)', () => {
    it('keeps premium for 14 days after a failed payment, then falls back to Free; links keep redirecting', async () => {
      const user = await signUp(t.url);
      const ws = user.workspaceId;
      const start = Math.floor(clock.now() / 1000);
      await deliver(
        eventObject(
          `evt_g1_${ws}`,
          'customer.subscription.created',
          start,
          subscriptionObject({
            id: `sub_g_${ws}`,
            customer: `cus_g_${ws}`,
            workspaceId: ws,
            status: 'active',
            priceId: 'price_pro',
          }),
        ),
      );
      expect((await billingOf(user)).plan).toBe('pro');
      const rules = [{ when: { os: ['ios'] }, url: 'https://apps.example.com/ios' }];
      const premium = await user.api.request('POST', '/api/v1/links', {
        url: 'https://example.com/g',
        rules,
      });
      expect(premium.status).toBe(201);

      await deliver(
        eventObject(
          `evt_g2_${ws}`,
          'invoice.payment_failed',
          start + 10,
          invoiceObject({
            id: `in_g_${ws}`,
            customer: `cus_g_${ws}`,
            workspaceId: ws,
            subscription: `sub_g_${ws}`,
          }),
        ),
      );
      await deliver(
        eventObject(
          `evt_g3_${ws}`,
          'customer.subscription.updated',
          start + 10,
          subscriptionObject({
            id: `sub_g_${ws}`,
            customer: `cus_g_${ws}`,
            workspaceId: ws,
            status: 'past_due',
            priceId: 'price_pro',
          }),
        ),
      );
      clock.set((start + 10) * 1000 + 13 * DAY);
      const inGrace = await billingOf(user);
      expect(inGrace).toMatchObject({
        plan: 'pro',
        status: 'past_due',
        banner: 'payment_failed',
        graceUntil: new Date((start + 10) * 1000 + 14 * DAY).toISOString(),
      });
      expect(
        (await user.api.request('POST', '/api/v1/links', { url: 'https://example.com/g2', rules }))
          .status,
      ).toBe(201);

      clock.set((start + 10) * 1000 + 15 * DAY);
      expect(await billingOf(user)).toMatchObject({
        plan: 'free',
        status: 'past_due',
        banner: 'grace_expired',
      });
      const refused = await user.api.request('POST', '/api/v1/links', {
        url: 'https://example.com/g3',
        rules,
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.type).toMatch(/\/plan-limit$/);
      expect(refused.body).toMatchObject({ limitName: 'smartRules', upgradeTo: 'pro' });
      // Print-safe: the premium link made during the subscription still follows its rule.
      const iphone =
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
      const res = await rawRequest(t.url, `/${premium.body.code}`, {
        headers: { 'user-agent': iphone },
      });
      expect(res.headers.location).toBe('https://apps.example.com/ios');
      // Paying the invoice ends the failure; the subscription comes back active.
      await deliver(
        eventObject(
          `evt_g4_${ws}`,
          'invoice.paid',
          start + 20,
          invoiceObject({
            id: `in_g_${ws}`,
            customer: `cus_g_${ws}`,
            workspaceId: ws,
            subscription: `sub_g_${ws}`,
          }),
        ),
      );
      await deliver(
        eventObject(
          `evt_g5_${ws}`,
          'customer.subscription.updated',
          start + 20,
          subscriptionObject({
            id: `sub_g_${ws}`,
            customer: `cus_g_${ws}`,
            workspaceId: ws,
            status: 'active',
            priceId: 'price_pro',
          }),
        ),
      );
      expect(await billingOf(user)).toMatchObject({ plan: 'pro', status: 'active', banner: null });
      clock.set(Date.now());
    });
  });

  describe('unknown customers (BIL-10)', () => {
    it('acknowledges with 2xx and logs a line', async () => {
      const event = eventObject(
        'evt_unknown',
        'customer.subscription.updated',
        Math.floor(Date.now() / 1000),
        subscriptionObject({
          id: 'sub_x',
          customer: 'cus_nobody',
          workspaceId: 'wsp_doesnotexist00000000000000',
          status: 'active',
          priceId: 'price_pro',
        }),
      );
      expect((await deliver(event)).status).toBe(200);
      await processor().drain();
      const row = await t.app.ctx.db
        .selectFrom('stripe_events')
        .select('outcome')
        .where('id', '=', 'evt_unknown')
        .executeTakeFirstOrThrow();
      expect(row.outcome).toBe('unknown_customer');
      expect(
        t.logs.some(
          (l) => l.includes('Stripe event for an unknown customer') && l.includes('evt_unknown'),
        ),
      ).toBe(true);
    });
  });

  describe('Checkout, Portal and reconciliation through the official SDK', () => {
    it('creates a Checkout session for a plan, only for owners, with our own return URLs', async () => {
      const user = await signUp(t.url);
      const res = await user.api.request('POST', '/api/v1/billing/checkout', { plan: 'pro' });
      expect(res.status).toBe(201);
      expect(res.body.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
      const sent = stub.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1);
      expect(sent?.form.get('mode')).toBe('subscription');
      expect(sent?.form.get('line_items[0][price]')).toBe('price_pro');
      expect(sent?.form.get('client_reference_id')).toBe(user.workspaceId);
      expect(sent?.form.get('subscription_data[metadata][workspaceId]')).toBe(user.workspaceId);
      expect(sent?.form.get('success_url')).toMatch(
        /^http:\/\/127\.0\.0\.1:8080\/settings\/billing/,
      );
      expect(
        (await user.api.request('POST', '/api/v1/billing/checkout', { plan: 'free' })).status,
      ).toBe(400);
      expect(
        (await user.api.request('POST', '/api/v1/billing/checkout', { plan: 'nope' })).status,
      ).toBe(400);
      // Free allows one member: the invitation is refused with the limit, the usage and the way up.
      const invite = await user.api.request(
        'POST',
        `/api/v1/workspaces/${user.workspaceId}/invitations`,
        {
          email: 'member@example.test',
          role: 'member',
        },
      );
      expect(invite.status).toBe(403);
      expect(invite.body).toMatchObject({
        limitName: 'members',
        limit: 1,
        usage: 1,
        upgradeTo: 'pro',
      });
      // Only owners may buy: a member's session is refused.
      const member = await addMember(t, user.workspaceId, 'member');
      const asMember = await member.session.request(
        'POST',
        '/api/v1/billing/checkout',
        { plan: 'pro' },
        {
          'qrlink-workspace': user.workspaceId,
        },
      );
      expect(asMember.status).toBe(403);
      expect(asMember.body.code).toBe('forbidden');
    });

    it('opens the Customer Portal once the workspace has a customer', async () => {
      const user = await signUp(t.url);
      expect((await user.api.request('POST', '/api/v1/billing/portal')).status).toBe(409);
      await deliver(
        eventObject(
          `evt_cs_${user.workspaceId}`,
          'checkout.session.completed',
          Math.floor(Date.now() / 1000),
          {
            id: 'cs_p',
            object: 'checkout.session',
            client_reference_id: user.workspaceId,
            metadata: { workspaceId: user.workspaceId },
            customer: `cus_p_${user.workspaceId}`,
            subscription: null,
          },
        ),
      );
      await processor().drain();
      const res = await user.api.request('POST', '/api/v1/billing/portal');
      expect(res.status).toBe(201);
      expect(res.body.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
      expect(stub.requests.at(-1)?.form.get('customer')).toBe(`cus_p_${user.workspaceId}`);
    });

    it('repairs drift from the daily subscription listing', async () => {
      const user = await signUp(t.url);
      const ws = user.workspaceId;
      await deliver(
        eventObject(
          `evt_d1_${ws}`,
          'customer.subscription.created',
          Math.floor(Date.now() / 1000) - 100,
          subscriptionObject({
            id: `sub_d_${ws}`,
            customer: `cus_d_${ws}`,
            workspaceId: ws,
            status: 'past_due',
            priceId: 'price_pro',
          }),
        ),
      );
      expect((await billingOf(user)).status).toBe('past_due');
      // A lost webhook: Stripe says the subscription is active on Business now.
      stub.subscriptions.push(
        subscriptionObject({
          id: `sub_d_${ws}`,
          customer: `cus_d_${ws}`,
          workspaceId: ws,
          status: 'active',
          priceId: 'price_business',
        }),
      );
      const result = await processor().reconcile();
      expect(result.checked).toBeGreaterThanOrEqual(1);
      expect(await billingOf(user)).toMatchObject({ plan: 'business', status: 'active' });
      expect(
        stub.requests.some(
          (r) =>
            r.method === 'GET' && r.path === '/v1/subscriptions' && r.form.get('status') === 'all',
        ),
      ).toBe(true);
    });
  });
});

describe('billing with the payment provider unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A stand-in that was stopped: its port refuses connections.
    const stopped = await startStripeStub();
    await stopped.close();
    t = await startTestApp({
      env: {
        QRLINK_SIGNUP: 'open',
        STRIPE_SECRET_KEY: 'sk_test_stub',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        QRLINK_STRIPE_PRICES: 'pro=price_pro',
      },
      overrides: { stripe: stopped.client },
    });
  });
  afterAll(() => t?.close());

  function expectUnavailable(res: Awaited<ReturnType<TestUser['api']['request']>>) {
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(res.body).toMatchObject({
      type: 'https://qrlink.dev/problems/payment-provider-unavailable',
      code: 'payment_provider_unavailable',
      status: 503,
    });
    expect(JSON.stringify(res.body)).not.toContain('ECONNREFUSED');
  }

  it('answers Checkout and the Customer Portal with 503, Retry-After and its own problem type', async () => {
    const user = await signUp(t.url);
    expectUnavailable(await user.api.request('POST', '/api/v1/billing/checkout', { plan: 'pro' }));
    await setCustomer(t.app.ctx.db, user.workspaceId, `cus_${user.workspaceId}`, null, Date.now());
    expectUnavailable(await user.api.request('POST', '/api/v1/billing/portal'));
    // Nothing else depends on the provider: the billing view still answers.
    expect((await user.api.request('GET', '/api/v1/billing')).status).toBe(200);
  });
});

describe('self-hosted mode (no STRIPE_SECRET_KEY)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { QRLINK_SIGNUP: 'open' } });
  });
  afterAll(() => t?.close());

  it('answers 404 on the Stripe endpoints and gives every workspace the configured plan', async () => {
    const user = await signUp(t.url);
    for (const path of [
      '/api/v1/billing/checkout',
      '/api/v1/billing/portal',
      '/api/v1/billing/webhook',
    ]) {
      const res = await user.api.request('POST', path, { plan: 'pro' });
      expect(res.status, path).toBe(404);
    }
    const billing = await user.api.request('GET', '/api/v1/billing');
    expect(billing.body).toMatchObject({
      plan: 'unlimited',
      status: 'none',
      limits: { linksPerMonth: null },
    });
    const plans = await caller(t.url, { key: user.key }).request('GET', '/api/v1/plans');
    expect(plans.body.items.map((p: { id: string }) => p.id)).toEqual([
      'free',
      'pro',
      'business',
      'unlimited',
    ]);
  });
});
