import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_PLANS, type PlanLimits } from '../../src/billing/plans.js';

const UNLIMITED = DEFAULT_PLANS.find((p) => p.id === 'unlimited') as (typeof DEFAULT_PLANS)[number];

/**
 * An operator's plans file (QRLINK_PLANS_FILE) of plans like the default unlimited one (every
 * feature, no limits, 100,000 API requests a minute) except for the limits given; returns its path.
 */
export function writePlansFile(
  plans: { id: string; rank: number; limits?: Partial<PlanLimits> }[],
): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'qrlink-plans-')), 'plans.json');
  const entries = plans.map((plan) => ({
    id: plan.id,
    name: plan.id,
    rank: plan.rank,
    limits: { ...UNLIMITED.limits, ...plan.limits },
    features: UNLIMITED.features,
  }));
  writeFileSync(file, JSON.stringify({ plans: entries }));
  return file;
}
