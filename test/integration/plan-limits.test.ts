import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type Dialect, type TestApp } from '../helpers/app.js';
import { rawRequest } from '../helpers/http.js';
import { writePlansFile } from '../helpers/plans.js';
import { postgresMissing } from '../helpers/services.js';
import {
  eventObject,
  invoiceObject,
  startStripeStub,
  subscriptionObject,
  type StripeStub,
} from '../helpers/stripe-stub.js';

const pgMissing = await postgresMissing();
const run = promisify(execFile);

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `plan limits under concurrency on ${dialect} (BIL-09)`,
    () => {
      let t: TestApp;
      beforeAll(async () => {
        // An operator's plans file: a plan whose only tight limit is links per month.
        const plansFile = writePlansFile([
          { id: 'capped', rank: 0, limits: { linksPerMonth: 50, retentionDays: 30 } },
          { id: 'roomy', rank: 1, limits: { retentionDays: 30 } },
        ]);
        t = await startTestApp({
          dialect,
          env: {
            QRLINK_SIGNUP: 'open',
            QRLINK_DEFAULT_PLAN: 'capped',
            QRLINK_PLANS_FILE: plansFile,
          },
        });
      });
      afterAll(() => t?.close());

      it('never lets 1,000 concurrent creations pass the monthly limit', async () => {
        const user = await signUp(t.url);
        const limit = 50;
        const results = await Promise.all(
          Array.from({ length: 1000 }, (_, i) =>
            user.api.request('POST', '/api/v1/links', { url: `https://example.com/c/${i}` }),
          ),
        );
        const created = results.filter((r) => r.status === 201);
        const refused = results.filter((r) => r.status === 403);
        expect(created).toHaveLength(limit);
        expect(refused).toHaveLength(1000 - limit);
        expect(refused[0]?.body.type).toMatch(/\/plan-limit$/);
        expect(refused[0]?.body).toMatchObject({
          limitName: 'linksPerMonth',
          limit,
          usage: limit,
          upgradeTo: 'roomy',
        });
        const stored = await t.app.ctx.db
          .selectFrom('links')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('workspace_id', '=', user.workspaceId)
          .executeTakeFirstOrThrow();
        expect(Number(stored.n)).toBe(limit);
        const usage = await user.api.request('GET', '/api/v1/billing/usage');
        expect(usage.body.usage).toMatchObject({ linksThisPeriod: limit, activeQrCodes: limit });
      }, 120_000);
    },
  );
}

describe('print-safe policy (BIL-08)', () => {
  let t: TestApp;
  let stub: StripeStub;
  beforeAll(async () => {
    stub = await startStripeStub();
    t = await startTestApp({
      env: {
        QRLINK_SIGNUP: 'open',
        QRLINK_BASE_URL: 'http://127.0.0.1:8080',
        STRIPE_SECRET_KEY: 'sk_test_stub',
        STRIPE_WEBHOOK_SECRET: 'whsec_print',
        QRLINK_STRIPE_PRICES: 'pro=price_pro',
      },
      overrides: { stripe: stub.client },
    });
  });
  afterAll(async () => {
    await t?.close();
    await stub?.close();
  });

  it('keeps every existing link and QR code redirecting through over-limit, failed payment and cancellation', async () => {
    const user = await signUp(t.url);
    const ws = user.workspaceId;
    const processor = t.app.billing.processor;
    if (!processor) throw new Error('no billing processor');
    const send = async (id: string, type: string, object: unknown) => {
      const payload = JSON.stringify(eventObject(id, type, Math.floor(Date.now() / 1000), object));
      await processor.receive(
        Buffer.from(payload),
        stub.client.webhooks.generateTestHeaderString({ payload, secret: 'whsec_print' }),
      );
      await processor.drain();
    };
    const sub = (status: string) =>
      subscriptionObject({
        id: `sub_${ws}`,
        customer: `cus_${ws}`,
        workspaceId: ws,
        status,
        priceId: 'price_pro',
      });
    await send(`evt_a_${ws}`, 'customer.subscription.created', sub('active'));

    // On Pro: more links than Free allows, some with Pro-only features.
    const links: { code: string; id: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await user.api.request('POST', '/api/v1/links', {
        url: `https://example.com/p/${i}`,
        ...(i === 0 ? { password: 'open sesame' } : {}),
        ...(i === 1 ? { rules: [{ when: { language: ['de'] }, url: 'https://example.de/' }] } : {}),
      });
      expect(res.status).toBe(201);
      links.push(res.body);
    }
    const expectAllServing = async (step: string) => {
      for (const [i, link] of links.entries()) {
        const res = await rawRequest(t.url, `/${link.code}/Q`, {
          headers: { 'accept-language': 'de-DE' },
        });
        if (i === 0) expect(res.status, `${step}: password form`).toBe(200);
        else expect(res.status, `${step}: ${link.code}`).toBe(302);
        if (i === 1) expect(res.headers.location).toBe('https://example.de/');
      }
      const qr = await user.api.request('GET', `/api/v1/links/${links[2]?.id}/qr?format=svg`);
      expect(qr.status, `${step}: QR image`).toBe(200);
    };
    await expectAllServing('pro');

    await send(
      `evt_f_${ws}`,
      'invoice.payment_failed',
      invoiceObject({
        id: `in_${ws}`,
        customer: `cus_${ws}`,
        workspaceId: ws,
        subscription: `sub_${ws}`,
      }),
    );
    await send(`evt_pd_${ws}`, 'customer.subscription.updated', sub('past_due'));
    await expectAllServing('payment failed');

    await send(`evt_c_${ws}`, 'customer.subscription.deleted', sub('canceled'));
    const billing = await user.api.request('GET', '/api/v1/billing');
    expect(billing.body).toMatchObject({ plan: 'free', status: 'canceled' });
    await expectAllServing('cancelled');

    // Above Free's limits: nothing is deleted, new links and edits are refused, archiving works.
    expect(
      (await user.api.request('POST', '/api/v1/links', { url: 'https://example.com/new' })).status,
    ).toBe(403);
    const edit = await user.api.request('PATCH', `/api/v1/links/${links[3]?.id}`, { title: 'x' });
    expect(edit.status).toBe(403);
    expect(edit.body).toMatchObject({ limitName: 'activeQrCodes', limit: 10, usage: 12 });
    expect((await user.api.request('DELETE', `/api/v1/links/${links[3]?.id}`)).status).toBe(204);
    expect((await user.api.request('GET', '/api/v1/links')).body.items).toHaveLength(11);
  });
});

describe('qrlink admin set-plan', () => {
  it('changes the plan of a self-hosted workspace by name, with clear errors', async () => {
    const t = await startTestApp({ env: { QRLINK_SIGNUP: 'open' } });
    const user = await signUp(t.url);
    const dataDir = t.dataDir;
    const env = {
      ...process.env,
      QRLINK_DATA_DIR: dataDir,
      QRLINK_SECRET: 'test-secret-test-secret-test-secret-0000',
      QRLINK_LOG_LEVEL: 'silent',
    };
    try {
      const { stdout } = await run(
        'node',
        ['dist/main.js', 'admin', 'set-plan', '--workspace', user.workspaceId, '--plan', 'free'],
        { env },
      );
      expect(stdout).toContain(`workspace: ${user.workspaceId}`);
      expect(stdout).toContain('plan: free');
      expect((await user.api.request('GET', '/api/v1/billing')).body.plan).toBe('free');
      const bad = await run(
        'node',
        ['dist/main.js', 'admin', 'set-plan', '--workspace', user.workspaceId, '--plan', 'gold'],
        { env },
      ).catch((e: { code: number; stderr: string }) => e);
      expect(bad).toMatchObject({ code: 2 });
      expect((bad as { stderr: string }).stderr).toMatch(
        /--plan must be one of free, pro, business, unlimited/,
      );
      const missing = await run(
        'node',
        ['dist/main.js', 'admin', 'set-plan', '--workspace', 'no such', '--plan', 'pro'],
        { env },
      ).catch((e: { code: number; stderr: string }) => e);
      expect(missing).toMatchObject({ code: 1 });
    } finally {
      await t.close();
    }
  });
});
