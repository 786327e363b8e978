import type Stripe from 'stripe';
import { ensureSubscriptionRow, findSubscription } from '../repo.js';
import { statusRank, supersedes } from '../state.js';
import { idOf, workspaceFor, type EventHandler, type HandlerContext } from './context.js';

/**
 * Applies a subscription snapshot if it is newer than the one stored (by event time, then by
 * status order), so replays and out-of-order deliveries converge (BIL-03). Used for created,
 * updated and deleted events, and by the reconciliation job with "now" as the version.
 */
export async function applySubscription(
  subscription: Stripe.Subscription,
  ctx: HandlerContext,
  deleted: boolean,
): Promise<'applied' | 'ignored' | 'unknown_customer'> {
  const workspaceId = await workspaceFor(ctx.tx, subscription.metadata, subscription.customer);
  if (!workspaceId) return 'unknown_customer';
  const status = deleted ? 'canceled' : subscription.status;
  const version = { at: ctx.eventAt, rank: statusRank(status) };
  await ensureSubscriptionRow(ctx.tx, workspaceId, ctx.now);
  const stored = await findSubscription(ctx.tx, workspaceId);
  if (stored && !supersedes(version, { at: stored.snapshot_at, rank: stored.snapshot_rank }))
    return 'ignored';
  const item = subscription.items?.data?.[0];
  const priceId = item?.price?.id ?? null;
  const plan = priceId ? ctx.plans.byPrice(priceId) : null;
  const periodEnd = item?.current_period_end ?? null;
  await ctx.tx
    .updateTable('subscriptions')
    .set({
      customer_id: idOf(subscription.customer),
      subscription_id: subscription.id,
      plan: plan?.id ?? stored?.plan ?? null,
      status,
      current_period_end: periodEnd === null ? null : periodEnd * 1000,
      cancel_at_period_end: subscription.cancel_at_period_end ? 1 : 0,
      trial_end: subscription.trial_end ? subscription.trial_end * 1000 : null,
      snapshot_at: version.at,
      snapshot_rank: version.rank,
      updated_at: ctx.now,
    })
    .where('workspace_id', '=', workspaceId)
    .execute();
  return 'applied';
}

export const subscriptionChanged: EventHandler = (event, ctx) =>
  applySubscription(
    event.data.object as Stripe.Subscription,
    ctx,
    event.type === 'customer.subscription.deleted',
  );
