import type Stripe from 'stripe';
import { reserveEmail } from '../repo.js';
import { workspaceFor, type EventHandler } from './context.js';

/** Stripe announces the end of a trial three days ahead: tell the owners once. */
export const trialWillEnd: EventHandler = async (event, ctx) => {
  const subscription = event.data.object as Stripe.Subscription;
  const workspaceId = await workspaceFor(ctx.tx, subscription.metadata, subscription.customer);
  if (!workspaceId) return 'unknown_customer';
  await reserveEmail(
    ctx.tx,
    `trial:${subscription.id}:${subscription.trial_end ?? 0}`,
    workspaceId,
    'trial_ending',
    ctx.now,
  );
  return 'applied';
};
