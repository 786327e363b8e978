import type Stripe from 'stripe';
import type { Executor } from '../../db/index.js';
import type { PlanCatalogue } from '../plans.js';
import { findWorkspaceByCustomer } from '../repo.js';

/** What every event handler gets: the transaction its effect commits in, and the catalogue. */
export interface HandlerContext {
  tx: Executor;
  plans: PlanCatalogue;
  now: number;
  /** Event time in ms: the version of the snapshot the event carries. */
  eventAt: number;
}

export type Outcome = 'applied' | 'ignored' | 'unknown_customer';

export type EventHandler = (event: Stripe.Event, ctx: HandlerContext) => Promise<Outcome>;

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** The workspace an object belongs to: our metadata first, else the known customer. */
export async function workspaceFor(
  tx: Executor,
  metadata: Stripe.Metadata | null | undefined,
  customer: string | { id: string } | null | undefined,
): Promise<string | null> {
  const fromMetadata = metadata?.workspaceId;
  if (fromMetadata) {
    const ws = await tx
      .selectFrom('workspaces')
      .select('id')
      .where('id', '=', fromMetadata)
      .executeTakeFirst();
    if (ws) return ws.id;
  }
  const customerId = idOf(customer);
  return customerId ? findWorkspaceByCustomer(tx, customerId) : null;
}

/** Subscription metadata as invoices carry it (newer API: parent.subscription_details). */
export function invoiceSubscriptionMetadata(invoice: Stripe.Invoice): Stripe.Metadata | null {
  return invoice.parent?.subscription_details?.metadata ?? null;
}
