import { AppError } from '../errors.js';
import type { Executor } from '../db/index.js';
import type { Plan, PlanCatalogue, PlanFeatures, PlanLimits } from './plans.js';
import { findPlanBasis, firstUnpaidFailure, listPlanBases, type PlanBasis } from './repo.js';
import { effectiveBilling, type EffectiveBilling } from './state.js';
import {
  ALL_TIME,
  consume,
  meterValue,
  periodOf,
  release,
  seatsInUse,
  type Meter,
} from './usage.js';

export type Feature = keyof PlanFeatures;

/** Everything a write path can ask "may this workspace do X now?" about. */
export type Action =
  | { kind: 'link.create'; features: readonly Feature[] }
  | { kind: 'link.update'; features: readonly Feature[] }
  | { kind: 'domain.create' }
  | { kind: 'member.invite' }
  | { kind: 'feature'; feature: Feature };

export interface WorkspacePlan {
  /** The plan in force: the one whose limits and features apply now. */
  plan: Plan;
  /** The plan stored on the workspace, in force when no subscription says otherwise. */
  basePlan: string;
  billing: EffectiveBilling;
}

const LIMIT_LABELS: Record<keyof PlanLimits, string> = {
  linksPerMonth: 'new links per month',
  activeQrCodes: 'active links and QR codes',
  customDomains: 'custom domains',
  members: 'members (including pending invitations)',
  apiRequestsPerMinute: 'API requests per minute',
  retentionDays: 'days of analytics',
};

const FEATURE_LABELS: Record<Feature, string> = {
  smartRules: 'Smart rules',
  abSplits: 'A/B splits',
  passwordLinks: 'Password-protected links',
  customDomains: 'Custom domains',
  csvExport: 'CSV export',
  liveView: 'The live view',
};

/**
 * Plans decide what a workspace may create and use; this is the one place that answers, and the
 * only reader of the stored plan (the plan in force also depends on the subscription). It never
 * runs on the redirect path: scans are never refused for plan or payment reasons.
 */
export class Entitlements {
  constructor(
    readonly plans: PlanCatalogue,
    private readonly graceMs: number,
    private readonly now: () => number,
  ) {}

  async current(db: Executor, workspaceId: string): Promise<WorkspacePlan> {
    return this.inForce(db, workspaceId, await findPlanBasis(db, workspaceId));
  }

  /** Days of raw scan events each workspace keeps under its plan in force (null = kept). */
  async retentionByWorkspace(db: Executor): Promise<Map<string, number | null>> {
    const days = new Map<string, number | null>();
    for (const basis of await listPlanBases(db)) {
      const { plan } = await this.inForce(db, basis.workspaceId, basis);
      days.set(basis.workspaceId, plan.limits.retentionDays);
    }
    return days;
  }

  private async inForce(
    db: Executor,
    workspaceId: string,
    basis: PlanBasis | undefined,
  ): Promise<WorkspacePlan> {
    const basePlan = basis?.basePlan ?? this.plans.free.id;
    const billing = effectiveBilling({
      basePlan,
      freePlan: this.plans.free.id,
      subscription: basis
        ? { plan: basis.subscribedPlan, status: basis.status, snapshotAt: basis.snapshotAt ?? 0 }
        : null,
      firstUnpaidFailure:
        basis?.status === 'past_due' ? await firstUnpaidFailure(db, workspaceId) : null,
      now: this.now(),
      graceMs: this.graceMs,
    });
    return { plan: this.plans.get(billing.plan), basePlan, billing };
  }

  /** Throws a 403 plan_limit problem naming the limit, the usage and the plan that lifts it. */
  async assert(db: Executor, workspaceId: string, action: Action): Promise<void> {
    const { plan } = await this.current(db, workspaceId);
    const now = this.now();
    switch (action.kind) {
      case 'link.create':
        this.requireFeatures(plan, action.features);
        await this.consumeOrRefuse(db, workspaceId, plan, 'linksPerMonth', 'links', periodOf(now));
        await this.consumeOrRefuse(
          db,
          workspaceId,
          plan,
          'activeQrCodes',
          'active_links',
          ALL_TIME,
        );
        return;
      case 'link.update': {
        this.requireFeatures(plan, action.features);
        // Above the plan's limit (after a downgrade) existing links are read-only, never deleted.
        const limit = plan.limits.activeQrCodes;
        const active = await meterValue(db, workspaceId, 'active_links', ALL_TIME);
        if (limit !== null && active > limit)
          throw this.limitError(plan, 'activeQrCodes', limit, active);
        return;
      }
      case 'domain.create':
        this.requireFeatures(plan, ['customDomains']);
        await this.consumeOrRefuse(db, workspaceId, plan, 'customDomains', 'domains', ALL_TIME);
        return;
      case 'member.invite': {
        const limit = plan.limits.members;
        const seats = await seatsInUse(db, workspaceId, now);
        if (limit !== null && seats >= limit) throw this.limitError(plan, 'members', limit, seats);
        return;
      }
      case 'feature':
        this.requireFeatures(plan, [action.feature]);
        return;
    }
  }

  /** Gives back a slot of a meter of existing things (a link archived, a domain removed). */
  released(db: Executor, workspaceId: string, meter: 'active_links' | 'domains'): Promise<void> {
    return release(db, workspaceId, meter, ALL_TIME);
  }

  async usage(db: Executor, workspaceId: string) {
    const now = this.now();
    return {
      linksThisPeriod: await meterValue(db, workspaceId, 'links', periodOf(now)),
      activeQrCodes: await meterValue(db, workspaceId, 'active_links', ALL_TIME),
      customDomains: await meterValue(db, workspaceId, 'domains', ALL_TIME),
      members: await seatsInUse(db, workspaceId, now),
    };
  }

  private requireFeatures(plan: Plan, features: readonly Feature[]): void {
    for (const feature of features) {
      if (plan.features[feature]) continue;
      const upgrade = this.plans.upgradeFrom(plan, (p) => p.features[feature]);
      throw new AppError(
        'plan_limit',
        `${FEATURE_LABELS[feature]} ${feature === 'liveView' ? 'is' : 'are'} not part of the ${plan.name} plan${upgrade ? `; upgrade to ${upgrade.name}` : ''}`,
        {
          extensions: {
            limitName: feature,
            limit: 0,
            usage: 0,
            plan: plan.id,
            upgradeTo: upgrade?.id ?? null,
          },
        },
      );
    }
  }

  private async consumeOrRefuse(
    db: Executor,
    workspaceId: string,
    plan: Plan,
    name: 'linksPerMonth' | 'activeQrCodes' | 'customDomains',
    meter: Meter,
    period: string,
  ): Promise<void> {
    const limit = plan.limits[name];
    if (await consume(db, workspaceId, meter, period, limit)) return;
    throw this.limitError(plan, name, limit ?? 0, await meterValue(db, workspaceId, meter, period));
  }

  private limitError(plan: Plan, name: keyof PlanLimits, limit: number, usage: number): AppError {
    const upgrade = this.plans.upgradeFrom(plan, (p) => {
      const value = p.limits[name];
      return value === null || value > usage;
    });
    return new AppError(
      'plan_limit',
      `The ${plan.name} plan allows ${limit} ${LIMIT_LABELS[name]}; you have ${usage}${upgrade ? `. Upgrade to ${upgrade.name} for more` : ''}`,
      {
        extensions: {
          limitName: name,
          limit,
          usage,
          plan: plan.id,
          upgradeTo: upgrade?.id ?? null,
        },
      },
    );
  }
}
