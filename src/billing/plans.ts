import { readFileSync } from 'node:fs';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { ConfigError } from '../config/index.js';

/**
 * The plan catalogue: limits and features per plan. Defaults live here; operators override
 * them with a JSON file (QRLINK_PLANS_FILE). `null` means unlimited.
 */
export interface PlanLimits {
  linksPerMonth: number | null;
  activeQrCodes: number | null;
  customDomains: number | null;
  members: number | null;
  apiRequestsPerMinute: number;
  /** Raw scan events are kept this many days (rollups longer); null = kept. */
  retentionDays: number | null;
}

export interface PlanFeatures {
  smartRules: boolean;
  abSplits: boolean;
  passwordLinks: boolean;
  customDomains: boolean;
  csvExport: boolean;
  liveView: boolean;
}

export interface Plan {
  id: string;
  name: string;
  /** Order for "which plan lifts this limit": higher is bigger. */
  rank: number;
  limits: PlanLimits;
  features: PlanFeatures;
  /** Stripe price for Checkout; null for plans that are not sold (free, unlimited). */
  stripePriceId: string | null;
}

const ALL_FEATURES: PlanFeatures = {
  smartRules: true,
  abSplits: true,
  passwordLinks: true,
  customDomains: true,
  csvExport: true,
  liveView: true,
};

export const DEFAULT_PLANS: readonly Plan[] = [
  {
    id: 'free',
    name: 'Free',
    rank: 0,
    limits: {
      linksPerMonth: 50,
      activeQrCodes: 10,
      customDomains: 0,
      members: 1,
      apiRequestsPerMinute: 60,
      retentionDays: 30,
    },
    features: {
      smartRules: false,
      abSplits: false,
      passwordLinks: false,
      customDomains: false,
      csvExport: false,
      liveView: true,
    },
    stripePriceId: null,
  },
  {
    id: 'pro',
    name: 'Pro',
    rank: 1,
    limits: {
      linksPerMonth: 2000,
      activeQrCodes: 500,
      customDomains: 3,
      members: 5,
      apiRequestsPerMinute: 600,
      retentionDays: 365,
    },
    features: { ...ALL_FEATURES, abSplits: false },
    stripePriceId: null,
  },
  {
    id: 'business',
    name: 'Business',
    rank: 2,
    limits: {
      linksPerMonth: 50_000,
      activeQrCodes: 10_000,
      customDomains: 25,
      members: 50,
      apiRequestsPerMinute: 3000,
      retentionDays: 1095,
    },
    features: ALL_FEATURES,
    stripePriceId: null,
  },
  {
    id: 'unlimited',
    name: 'Unlimited (self-hosted)',
    rank: 3,
    limits: {
      linksPerMonth: null,
      activeQrCodes: null,
      customDomains: null,
      members: null,
      apiRequestsPerMinute: 100_000,
      retentionDays: null,
    },
    features: ALL_FEATURES,
    stripePriceId: null,
  },
];

export class PlanCatalogue {
  private readonly byId: ReadonlyMap<string, Plan>;

  constructor(readonly plans: readonly Plan[]) {
    this.byId = new Map(plans.map((p) => [p.id, p]));
  }

  /** Unknown ids (a plan removed from the file) fall back to the smallest plan. */
  get(id: string): Plan {
    return this.byId.get(id) ?? ([...this.plans].sort((a, b) => a.rank - b.rank)[0] as Plan);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The smallest plan, where lapsed subscriptions land. */
  get free(): Plan {
    return [...this.plans].sort((a, b) => a.rank - b.rank)[0] as Plan;
  }

  byPrice(priceId: string): Plan | null {
    return this.plans.find((p) => p.stripePriceId === priceId) ?? null;
  }

  /** The smallest bigger plan that allows `ok`, for "upgrade to …" in plan-limit errors. */
  upgradeFrom(current: Plan, ok: (plan: Plan) => boolean): Plan | null {
    return (
      [...this.plans]
        .filter((p) => p.rank > current.rank && ok(p))
        .sort((a, b) => a.rank - b.rank)[0] ?? null
    );
  }
}

/** How API views name a workspace's plans: the one in force, and the stored one under it. */
export const PlanInForce = Type.String({
  description: 'The plan in force: its limits and features apply now',
});
export const BasePlan = Type.String({
  description: "The workspace's own plan, in force when no subscription says otherwise",
});

const Limit = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);
const PlanSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    rank: Type.Integer({ minimum: 0 }),
    limits: Type.Object(
      {
        linksPerMonth: Limit,
        activeQrCodes: Limit,
        customDomains: Limit,
        members: Limit,
        apiRequestsPerMinute: Type.Integer({ minimum: 1 }),
        retentionDays: Limit,
      },
      { additionalProperties: false },
    ),
    features: Type.Object(
      {
        smartRules: Type.Boolean(),
        abSplits: Type.Boolean(),
        passwordLinks: Type.Boolean(),
        customDomains: Type.Boolean(),
        csvExport: Type.Boolean(),
        liveView: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    stripePriceId: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const PlansFile = Type.Object(
  { plans: Type.Array(PlanSchema, { minItems: 1 }) },
  { additionalProperties: false },
);

/**
 * The catalogue in force: the file from QRLINK_PLANS_FILE (validated; a mistake stops start-up
 * naming the variable) or the defaults, with Stripe price ids from QRLINK_STRIPE_PRICES.
 */
export function loadPlanCatalogue(
  file: string | null,
  prices: Readonly<Record<string, string>>,
  required: readonly string[],
): PlanCatalogue {
  let plans: Plan[] = DEFAULT_PLANS.map((p) => ({ ...p }));
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(
        'QRLINK_PLANS_FILE',
        `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (!Value.Check(PlansFile, parsed)) {
      const first = [...Value.Errors(PlansFile, parsed)][0];
      throw new ConfigError(
        'QRLINK_PLANS_FILE',
        `${file} is invalid at ${first?.instancePath || '/'}: ${first?.message ?? 'bad value'}`,
      );
    }
    plans = parsed.plans.map((p) => ({ ...p, stripePriceId: p.stripePriceId ?? null }));
  }
  for (const [planId, priceId] of Object.entries(prices)) {
    const plan = plans.find((p) => p.id === planId);
    if (!plan) throw new ConfigError('QRLINK_STRIPE_PRICES', `unknown plan "${planId}"`);
    plan.stripePriceId = priceId;
  }
  for (const id of required) {
    if (!plans.some((p) => p.id === id)) {
      throw new ConfigError(
        file ? 'QRLINK_PLANS_FILE' : 'QRLINK_DEFAULT_PLAN',
        `plan "${id}" is not in the catalogue`,
      );
    }
  }
  return new PlanCatalogue(plans);
}
