import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * A local stand-in for the Stripe API, the one place a stand-in is acceptable (the provider
 * cannot be reached from here). Our side is the official SDK pointed at it; the stub records
 * each request (method, path, form fields) and answers like the API reference.
 */
export interface StripeStub {
  client: Stripe;
  requests: {
    method: string;
    path: string;
    form: URLSearchParams;
    headers: http.IncomingHttpHeaders;
  }[];
  subscriptions: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startStripeStub(): Promise<StripeStub> {
  const requests: StripeStub['requests'] = [];
  const subscriptions: Record<string, unknown>[] = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const form = new URLSearchParams(
        req.method === 'GET' ? url.search : Buffer.concat(chunks).toString('utf8'),
      );
      requests.push({ method: req.method ?? '', path: url.pathname, form, headers: req.headers });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'request-id': `req_${++counter}`,
        });
        res.end(JSON.stringify(body));
      };
      if (!req.headers.authorization?.startsWith('Bearer sk_test_')) {
        return send(401, {
          error: { type: 'invalid_request_error', message: 'Invalid API Key provided' },
        });
      }
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const id = `cs_test_${++counter}`;
        return send(200, {
          id,
          object: 'checkout.session',
          mode: form.get('mode'),
          client_reference_id: form.get('client_reference_id'),
          customer: form.get('customer'),
          customer_email: form.get('customer_email'),
          metadata: { workspaceId: form.get('metadata[workspaceId]') },
          success_url: form.get('success_url'),
          cancel_url: form.get('cancel_url'),
          url: `https://checkout.stripe.com/c/pay/${id}`,
          status: 'open',
        });
      }
      if (req.method === 'POST' && url.pathname === '/v1/billing_portal/sessions') {
        return send(200, {
          id: `bps_${++counter}`,
          object: 'billing_portal.session',
          customer: form.get('customer'),
          return_url: form.get('return_url'),
          url: `https://billing.stripe.com/p/session/test_${counter}`,
        });
      }
      if (req.method === 'GET' && url.pathname === '/v1/subscriptions') {
        const after = url.searchParams.get('starting_after');
        const start = after ? subscriptions.findIndex((s) => s.id === after) + 1 : 0;
        const limit = Number(url.searchParams.get('limit') ?? 10);
        const page = subscriptions.slice(start, start + limit);
        return send(200, {
          object: 'list',
          url: '/v1/subscriptions',
          has_more: start + limit < subscriptions.length,
          data: page,
        });
      }
      send(404, {
        error: {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${req.method}: ${url.pathname})`,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    client: new Stripe('sk_test_stub', {
      host: '127.0.0.1',
      port,
      protocol: 'http',
      maxNetworkRetries: 0,
    }),
    requests,
    subscriptions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A Stripe subscription object as the API returns it (fields qrlink reads). */
export function subscriptionObject(input: {
  id: string;
  customer: string;
  workspaceId: string;
  status: string;
  priceId: string;
  periodEnd?: number;
  trialEnd?: number | null;
  cancelAtPeriodEnd?: boolean;
}): Record<string, unknown> {
  return {
    id: input.id,
    object: 'subscription',
    customer: input.customer,
    status: input.status,
    metadata: { workspaceId: input.workspaceId },
    cancel_at_period_end: input.cancelAtPeriodEnd ?? false,
    trial_end: input.trialEnd ?? null,
    items: {
      object: 'list',
      data: [
        {
          id: `si_${input.id}`,
          object: 'subscription_item',
          price: { id: input.priceId, object: 'price' },
          current_period_end: input.periodEnd ?? 1_900_000_000,
        },
      ],
    },
  };
}

export function invoiceObject(input: {
  id: string;
  customer: string;
  workspaceId: string;
  subscription: string;
  attempt?: number;
}) {
  return {
    id: input.id,
    object: 'invoice',
    customer: input.customer,
    attempt_count: input.attempt ?? 1,
    parent: {
      type: 'subscription_details',
      subscription_details: {
        subscription: input.subscription,
        metadata: { workspaceId: input.workspaceId },
      },
    },
  };
}

export function eventObject(
  id: string,
  type: string,
  created: number,
  object: unknown,
): Record<string, unknown> {
  return {
    id,
    object: 'event',
    type,
    created,
    api_version: '2026-10-28.endive',
    livemode: false,
    data: { object },
  };
}
