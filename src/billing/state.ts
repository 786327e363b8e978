/**
 * The subscription state machine, as pure functions. Stripe is the source of truth; each
 * subscription event carries a full snapshot, and a snapshot only replaces an older one, so
 * any delivery order converges on the same state (BIL-03).
 */
export type SubscriptionStatus =
  | 'incomplete'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'unpaid'
  | 'paused'
  | 'incomplete_expired'
  | 'canceled';

/** Tie-break for snapshots from the same second: later in a subscription's life wins. */
const STATUS_RANK: Record<SubscriptionStatus, number> = {
  incomplete: 0,
  trialing: 1,
  active: 2,
  past_due: 3,
  unpaid: 4,
  paused: 4,
  incomplete_expired: 5,
  canceled: 6,
};

export function statusRank(status: string): number {
  return STATUS_RANK[status as SubscriptionStatus] ?? 0;
}

export interface SnapshotVersion {
  at: number;
  rank: number;
}

export function supersedes(candidate: SnapshotVersion, current: SnapshotVersion): boolean {
  return (
    candidate.at > current.at || (candidate.at === current.at && candidate.rank > current.rank)
  );
}

export interface StoredSubscription {
  plan: string | null;
  status: string | null;
  /** When the applied snapshot was taken (ms). */
  snapshotAt: number;
}

export interface EffectiveBilling {
  /** The plan whose limits and features apply now. */
  plan: string;
  /** Stripe status, or 'none' without a subscription (self-hosted, free). */
  status: string;
  /** While past_due: premium features last until then; the API shows a banner. */
  graceUntil: number | null;
  banner: 'payment_failed' | 'grace_expired' | null;
}

/**
 * Which plan applies now. Trialing and active subscriptions get their plan; past_due keeps it
 * for the grace period counted from the first unpaid failure; everything else falls back to
 * the free plan. Scans are never affected by any of this (print-safe policy, BIL-08).
 */
export function effectiveBilling(input: {
  basePlan: string;
  freePlan: string;
  subscription: StoredSubscription | null;
  firstUnpaidFailure: number | null;
  now: number;
  graceMs: number;
}): EffectiveBilling {
  const sub = input.subscription;
  if (!sub?.status) return { plan: input.basePlan, status: 'none', graceUntil: null, banner: null };
  const subscribed = sub.plan ?? input.basePlan;
  switch (sub.status) {
    case 'trialing':
    case 'active':
      return { plan: subscribed, status: sub.status, graceUntil: null, banner: null };
    case 'past_due': {
      // From the first unpaid failure; without one on record, from when past_due was reported.
      const since = input.firstUnpaidFailure ?? sub.snapshotAt;
      const graceUntil = since + input.graceMs;
      return input.now < graceUntil
        ? { plan: subscribed, status: 'past_due', graceUntil, banner: 'payment_failed' }
        : { plan: input.freePlan, status: 'past_due', graceUntil, banner: 'grace_expired' };
    }
    default:
      return { plan: input.freePlan, status: sub.status, graceUntil: null, banner: null };
  }
}
