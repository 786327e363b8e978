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

  retentionDays = (planId: string): number | null => this.get(planId).limits.retentionDays;
}
