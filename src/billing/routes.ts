import { Type } from 'typebox';
import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import type { Payments } from '../adapters/payments.js';
import type { Api } from '../http/server.js';
import { iso, problemResponse, withErrors } from '../http/schemas.js';
import { actorOf } from '../workspaces/routes.js';
import type { Entitlements } from './entitlements.js';
import { BasePlan, PlanInForce } from './plans.js';
import type { BillingProcessor } from './processor.js';
import { findSubscription } from './repo.js';
import { periodBounds } from './usage.js';

const Nullable = <T extends ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);
const Limits = Type.Object({
  linksPerMonth: Nullable(Type.Integer()),
  activeQrCodes: Nullable(Type.Integer()),
  customDomains: Nullable(Type.Integer()),
  members: Nullable(Type.Integer()),
  apiRequestsPerMinute: Type.Integer(),
  retentionDays: Nullable(Type.Integer()),
});
const Features = Type.Record(Type.String(), Type.Boolean());
const Usage = Type.Object({
  linksThisPeriod: Type.Integer(),
  activeQrCodes: Type.Integer(),
  customDomains: Type.Integer(),
  members: Type.Integer(),
});

const providerUnavailable = problemResponse(
  'The payment provider cannot be reached: try again after Retry-After seconds',
);

const PlanView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  limits: Limits,
  features: Features,
  purchasable: Type.Boolean(),
});

const BillingView = Type.Object({
  plan: PlanInForce,
  planName: Type.String(),
  basePlan: BasePlan,
  status: Type.String(),
  graceUntil: Type.Optional(Type.String({ format: 'date-time' })),
  banner: Type.Union([Type.String(), Type.Null()], {
    description: 'payment_failed | grace_expired | null',
  }),
  cancelAtPeriodEnd: Type.Boolean(),
  currentPeriodEnd: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  limits: Limits,
  features: Features,
  usage: Usage,
});

export function billingRoutes(
  app: Api,
  ctx: AppContext,
  entitlements: Entitlements,
  stripe: { payments: Payments; processor: BillingProcessor } | null,
): void {
  const tags = ['billing'];
  const plans = entitlements.plans;

  app.get(
    '/api/v1/plans',
    {
      schema: {
        tags,
        summary: 'The plan catalogue',
        response: withErrors({ 200: Type.Object({ items: Type.Array(PlanView) }) }),
      },
      config: { auth: 'user' },
    },
    async () => ({
      items: [...plans.plans]
        .sort((a, b) => a.rank - b.rank)
        .map((p) => ({
          id: p.id,
          name: p.name,
          limits: p.limits,
          features: { ...p.features },
          purchasable: stripe !== null && p.stripePriceId !== null,
        })),
    }),
  );

  app.get(
    '/api/v1/billing',
    {
      schema: {
        tags,
        summary: "The workspace's plan, subscription status, limits and usage",
        response: withErrors({ 200: BillingView }),
      },
      config: { auth: 'workspace', permission: 'billing:read' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const { plan, basePlan, billing } = await entitlements.current(ctx.db, workspace.id);
      const sub = await findSubscription(ctx.db, workspace.id);
      return {
        plan: plan.id,
        planName: plan.name,
        basePlan,
        status: billing.status,
        ...(billing.graceUntil !== null ? { graceUntil: iso(billing.graceUntil) } : {}),
        banner: billing.banner,
        cancelAtPeriodEnd: sub?.cancel_at_period_end === 1,
        currentPeriodEnd: sub?.current_period_end ? iso(sub.current_period_end) : null,
        limits: plan.limits,
        features: { ...plan.features },
        usage: await entitlements.usage(ctx.db, workspace.id),
      };
    },
  );

  app.get(
    '/api/v1/billing/usage',
    {
      schema: {
        tags,
        summary: 'Usage meters of the current billing period (calendar month, UTC)',
        response: withErrors({
          200: Type.Object({
            periodStart: Type.String(),
            periodEnd: Type.String(),
            usage: Usage,
            limits: Limits,
          }),
        }),
      },
      config: { auth: 'workspace', permission: 'billing:read' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const { plan } = await entitlements.current(ctx.db, workspace.id);
      const period = periodBounds(ctx.clock.now());
      return {
        periodStart: iso(period.start),
        periodEnd: iso(period.end),
        usage: await entitlements.usage(ctx.db, workspace.id),
        limits: plan.limits,
      };
    },
  );

  // Self-hosted mode (no STRIPE_SECRET_KEY): the Stripe endpoints do not exist (404).
  if (!stripe) return;
  const returnUrl = new URL('/settings/billing', ctx.config.http.baseUrl).toString();

  app.post(
    '/api/v1/billing/checkout',
    {
      schema: {
        tags,
        summary: 'Start a Stripe Checkout session for a plan (owners only)',
        body: Type.Object(
          { plan: Type.String({ minLength: 1, maxLength: 32 }) },
          { additionalProperties: false },
        ),
        response: withErrors({
          201: Type.Object({ id: Type.String(), url: Type.String() }),
          503: providerUnavailable,
        }),
      },
      config: { auth: 'workspace', permission: 'billing:manage', idempotent: true },
    },
    async (request, reply) => {
      const { workspace, principal } = actorOf(request);
      const plan = plans.has(request.body.plan) ? plans.get(request.body.plan) : null;
      if (!plan?.stripePriceId) {
        throw new AppError('validation_failed', `plan "${request.body.plan}" cannot be bought`, {
          errors: [
            {
              field: '/plan',
              message: `must be one of ${plans.plans
                .filter((p) => p.stripePriceId)
                .map((p) => p.id)
                .join(', ')}`,
            },
          ],
        });
      }
      const sub = await findSubscription(ctx.db, workspace.id);
      const session = await stripe.payments.createCheckout({
        workspaceId: workspace.id,
        priceId: plan.stripePriceId,
        customerId: sub?.customer_id ?? null,
        email: principal.email,
        // Our own pages only: never a caller-supplied redirect target (RED-04).
        successUrl: `${returnUrl}?checkout=success`,
        cancelUrl: `${returnUrl}?checkout=cancel`,
      });
      return reply.code(201).send(session);
    },
  );

  app.post(
    '/api/v1/billing/portal',
    {
      schema: {
        tags,
        summary: 'Open the Stripe Customer Portal (owners only)',
        response: withErrors({
          201: Type.Object({ url: Type.String() }),
          409: { $ref: 'Problem' },
          503: providerUnavailable,
        }),
      },
      config: { auth: 'workspace', permission: 'billing:manage' },
    },
    async (request, reply) => {
      const sub = await findSubscription(ctx.db, actorOf(request).workspace.id);
      if (!sub?.customer_id)
        throw new AppError(
          'conflict',
          'This workspace has no Stripe customer yet; start with Checkout',
        );
      return reply
        .code(201)
        .send(await stripe.payments.createPortal({ customerId: sub.customer_id, returnUrl }));
    },
  );

  // Raw body for the signature check: a JSON parser of its own, in this route's context only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: 512 * 1024 },
      (_req, body, done) => done(null, body),
    );
    scope.post(
      '/api/v1/billing/webhook',
      {
        schema: {
          tags,
          summary: 'Stripe webhook endpoint (signature verified on the raw body)',
          response: { 200: Type.Object({ received: Type.Boolean() }), 400: { $ref: 'Problem' } },
        },
        config: { auth: 'public', rateLimit: 'none', csrfExempt: true },
      },
      async (request) => {
        const signature = request.headers['stripe-signature'];
        await stripe.processor.receive(
          request.body as Buffer,
          typeof signature === 'string' ? signature : undefined,
        );
        return { received: true };
      },
    );
  });
}
