import type Stripe from 'stripe';
import { isInvoicePaid, recordInvoice, reserveEmail } from '../repo.js';
import { invoiceSubscriptionMetadata, workspaceFor, type EventHandler } from './context.js';

/**
 * Records the failure (its earliest time starts the grace period) and reserves one dunning
 * e-mail per invoice attempt: the key makes retries and replays never send it twice.
 */
export const invoicePaymentFailed: EventHandler = async (event, ctx) => {
  const invoice = event.data.object as Stripe.Invoice;
  const workspaceId = await workspaceFor(
    ctx.tx,
    invoiceSubscriptionMetadata(invoice),
    invoice.customer,
  );
  if (!workspaceId || !invoice.id) return 'unknown_customer';
  await recordInvoice(ctx.tx, invoice.id, workspaceId, { failedAt: ctx.eventAt });
  if (!(await isInvoicePaid(ctx.tx, invoice.id))) {
    await reserveEmail(
      ctx.tx,
      `dunning:${invoice.id}:${invoice.attempt_count}`,
      workspaceId,
      'dunning',
      ctx.now,
    );
  }
  return 'applied';
};
