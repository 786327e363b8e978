import type Stripe from 'stripe';
import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import type { Payments } from '../adapters/payments.js';
import { emailTemplates } from '../shared/email-templates.js';
import type { PlanCatalogue } from './plans.js';
import { markEmailSent, ownersEmails, unsentEmails } from './repo.js';
import { applySubscription, HANDLERS, type Outcome } from './webhooks/index.js';

/**
 * Webhooks are verified and stored on receipt (answered at once), then applied in the
 * background. Applying claims the event (processed_at) in the same transaction as its effect,
 * keyed by the event's unique id, so 5 deliveries change state once (BIL-02).
 */
export function billingProcessor(ctx: AppContext, plans: PlanCatalogue, payments: Payments) {
  let running: Promise<void> | undefined;
  let again = false;

  async function applyEvent(id: string): Promise<void> {
    await ctx.db.transaction().execute(async (tx) => {
      const now = ctx.clock.now();
      const claimed = await tx
        .updateTable('stripe_events')
        .set({ processed_at: now })
        .where('id', '=', id)
        .where('processed_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return;
      const row = await tx
        .selectFrom('stripe_events')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const event = JSON.parse(row.payload) as Stripe.Event;
      const handler = HANDLERS[event.type];
      const outcome: Outcome = handler
        ? await handler(event, { tx, plans, now, eventAt: event.created * 1000 })
        : 'ignored';
      if (outcome === 'unknown_customer') {
        // Not ours (another app on the same Stripe account, or deleted workspace): say so, ack.
        ctx.log.warn(
          { eventId: event.id, type: event.type },
          'Stripe event for an unknown customer',
        );
      }
      await tx.updateTable('stripe_events').set({ outcome }).where('id', '=', id).execute();
    });
  }

  async function sendEmails(): Promise<void> {
    for (const email of await unsentEmails(ctx.db)) {
      const recipients = await ownersEmails(ctx.db, email.workspace_id);
      const baseUrl = ctx.config.http.baseUrl;
      const message =
        email.kind === 'dunning'
          ? emailTemplates.paymentFailed(baseUrl)
          : emailTemplates.trialEnding(baseUrl);
      for (const to of recipients) await ctx.mailer.send({ to, ...message });
      await markEmailSent(ctx.db, email.key, ctx.clock.now());
    }
  }

  async function processPending(): Promise<void> {
    do {
      again = false;
      for (;;) {
        const batch = await ctx.db
          .selectFrom('stripe_events')
          .select('id')
          .where('processed_at', 'is', null)
          .orderBy('created')
          .orderBy('id')
          .limit(100)
          .execute();
        if (batch.length === 0) break;
        for (const { id } of batch) await applyEvent(id);
      }
      await sendEmails();
    } while (again);
  }

  function kick(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = processPending()
      .catch((err: unknown) =>
        ctx.log.error({ err }, 'billing event processing failed; will retry'),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return {
    /** Verifies and stores the event; work happens after the answer (BIL-01, BIL-02). */
    async receive(rawBody: Buffer, signature: string | undefined): Promise<void> {
      let event: Stripe.Event;
      try {
        if (!signature) throw new Error('missing Stripe-Signature header');
        event = payments.verifyWebhook(rawBody, signature);
      } catch (err) {
        throw new AppError('validation_failed', 'Invalid webhook signature', { cause: err });
      }
      await ctx.db
        .insertInto('stripe_events')
        .values({
          id: event.id,
          type: event.type,
          created: event.created * 1000,
          payload: rawBody.toString('utf8'),
          received_at: ctx.clock.now(),
          processed_at: null,
          outcome: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      void kick();
    },
    /** Applies everything received (tests, start-up recovery, the periodic job). */
    drain: () => kick(),
    /** Daily: re-reads every subscription from Stripe and repairs drift. */
    async reconcile(): Promise<{ checked: number; applied: number }> {
      let checked = 0;
      let applied = 0;
      for await (const subscription of payments.listSubscriptions()) {
        checked++;
        const outcome = await ctx.db.transaction().execute((tx) => {
          const now = ctx.clock.now();
          return applySubscription(subscription, { tx, plans, now, eventAt: now }, false);
        });
        if (outcome === 'applied') applied++;
      }
      return { checked, applied };
    },
  };
}

export type BillingProcessor = ReturnType<typeof billingProcessor>;
