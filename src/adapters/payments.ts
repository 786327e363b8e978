import Stripe from 'stripe';

/** What qrlink asks of the payment provider; Stripe is the only implementation. */
export interface Payments {
  createCheckout(input: {
    workspaceId: string;
    priceId: string;
    customerId: string | null;
    email: string;
    successUrl: string;
    cancelUrl: string;
  }): Promise<{ id: string; url: string }>;
  createPortal(input: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
  /** Every subscription of the account (all statuses), for reconciliation. */
  listSubscriptions(): AsyncIterable<Stripe.Subscription>;
  /** Verifies the signature on the raw body (300 s tolerance, BIL-01) and parses the event. */
  verifyWebhook(rawBody: Buffer, signature: string): Stripe.Event;
}

export const WEBHOOK_TOLERANCE_SECONDS = 300;

export function stripePayments(client: Stripe, webhookSecret: string): Payments {
  return {
    async createCheckout(input) {
      const session = await client.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: input.priceId, quantity: 1 }],
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
        client_reference_id: input.workspaceId,
        metadata: { workspaceId: input.workspaceId },
        // Every subscription event (and its invoices) then names its workspace, whatever the order.
        subscription_data: { metadata: { workspaceId: input.workspaceId } },
        ...(input.customerId ? { customer: input.customerId } : { customer_email: input.email }),
      });
      if (!session.url) throw new Error('Stripe returned a Checkout session without a URL');
      return { id: session.id, url: session.url };
    },
    async createPortal(input) {
      const session = await client.billingPortal.sessions.create({
        customer: input.customerId,
        return_url: input.returnUrl,
      });
      return { url: session.url };
    },
    listSubscriptions() {
      return client.subscriptions.list({ status: 'all', limit: 100 });
    },
    verifyWebhook(rawBody, signature) {
      return client.webhooks.constructEvent(
        rawBody,
        signature,
        webhookSecret,
        WEBHOOK_TOLERANCE_SECONDS,
      );
    },
  };
}

export function stripeClient(secretKey: string, options: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 10_000, ...options });
}
