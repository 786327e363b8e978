import Stripe from 'stripe';
import { AppError } from '../errors.js';

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

/** When to try again after the provider could not be reached (it retried twice already). */
const PROVIDER_RETRY_AFTER_SECONDS = 30;

/** Stripe down, unreachable, slow or throttling us: the caller should retry, not see a 500. */
function isProviderUnavailable(err: unknown): boolean {
  return (
    err instanceof Stripe.errors.StripeConnectionError ||
    err instanceof Stripe.errors.StripeRateLimitError ||
    err instanceof Stripe.errors.StripeAPIError
  );
}

async function callProvider<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isProviderUnavailable(err)) throw err;
    throw new AppError(
      'payment_provider_unavailable',
      `The payment provider cannot be reached; try again in ${PROVIDER_RETRY_AFTER_SECONDS} s`,
      { headers: { 'retry-after': String(PROVIDER_RETRY_AFTER_SECONDS) }, cause: err },
    );
  }
}

export function stripePayments(client: Stripe, webhookSecret: string): Payments {
  return {
    async createCheckout(input) {
      const session = await callProvider(() =>
        client.checkout.sessions.create({
          mode: 'subscription',
          line_items: [{ price: input.priceId, quantity: 1 }],
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          client_reference_id: input.workspaceId,
          metadata: { workspaceId: input.workspaceId },
          // Every subscription event (and its invoices) then names its workspace, whatever the order.
          subscription_data: { metadata: { workspaceId: input.workspaceId } },
          ...(input.customerId ? { customer: input.customerId } : { customer_email: input.email }),
        }),
      );
      if (!session.url) throw new Error('Stripe returned a Checkout session without a URL');
      return { id: session.id, url: session.url };
    },
    async createPortal(input) {
      const session = await callProvider(() =>
        client.billingPortal.sessions.create({
          customer: input.customerId,
          return_url: input.returnUrl,
        }),
      );
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
