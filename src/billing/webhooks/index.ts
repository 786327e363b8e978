import type { EventHandler } from './context.js';
import { checkoutCompleted } from './checkout-completed.js';
import { invoicePaid } from './invoice-paid.js';
import { invoicePaymentFailed } from './invoice-payment-failed.js';
import { subscriptionChanged } from './subscription-changed.js';
import { trialWillEnd } from './trial-will-end.js';

export type { HandlerContext, Outcome } from './context.js';
export { applySubscription } from './subscription-changed.js';

/** One handler per event type; anything else is acknowledged and ignored. */
export const HANDLERS: Readonly<Record<string, EventHandler>> = {
  'checkout.session.completed': checkoutCompleted,
  'customer.subscription.created': subscriptionChanged,
  'customer.subscription.updated': subscriptionChanged,
  'customer.subscription.deleted': subscriptionChanged,
  'invoice.paid': invoicePaid,
  'invoice.payment_failed': invoicePaymentFailed,
  'customer.subscription.trial_will_end': trialWillEnd,
};
