import type Stripe from 'stripe';
import { setCustomer } from '../repo.js';
import { idOf, workspaceFor, type EventHandler } from './context.js';

/** Links the Stripe customer (and subscription) to the workspace that started Checkout. */
export const checkoutCompleted: EventHandler = async (event, ctx) => {
  const session = event.data.object as Stripe.Checkout.Session;
  const workspaceId = await workspaceFor(
    ctx.tx,
    {
      ...(session.client_reference_id ? { workspaceId: session.client_reference_id } : {}),
      ...session.metadata,
    },
    session.customer,
  );
  const customerId = idOf(session.customer);
  if (!workspaceId || !customerId) return 'unknown_customer';
  await setCustomer(ctx.tx, workspaceId, customerId, idOf(session.subscription), ctx.now);
  return 'applied';
};
