import type Stripe from 'stripe';
import { recordInvoice } from '../repo.js';
import { invoiceSubscriptionMetadata, workspaceFor, type EventHandler } from './context.js';

/** A paid invoice ends its failure streak; the grace period then stops counting from it. */
export const invoicePaid: EventHandler = async (event, ctx) => {
  const invoice = event.data.object as Stripe.Invoice;
  const workspaceId = await workspaceFor(
    ctx.tx,
    invoiceSubscriptionMetadata(invoice),
    invoice.customer,
  );
  if (!workspaceId || !invoice.id) return 'unknown_customer';
  await recordInvoice(ctx.tx, invoice.id, workspaceId, { paidAt: ctx.eventAt });
  return 'applied';
};
