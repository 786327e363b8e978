/**
 * Usage against plan limits. A meter warns from 80 % of its limit and is exhausted at 100 %;
 * the same levels drive the banners wherever a limit bites (home, links, domains, team).
 */
export const WARNING_RATIO = 0.8;

export type UsageLevel = 'unlimited' | 'ok' | 'warning' | 'exhausted';

export function usageLevel(used: number, limit: number | null): UsageLevel {
  if (limit === null) return 'unlimited';
  if (used >= limit) return 'exhausted';
  if (used >= limit * WARNING_RATIO) return 'warning';
  return 'ok';
}

/** Share of the limit used, 0–1 (capped), for a meter; null when unlimited. */
export function usageRatio(used: number, limit: number | null): number | null {
  if (limit === null) return null;
  if (limit <= 0) return 1;
  return Math.min(used / limit, 1);
}

export type MeterId = 'linksThisPeriod' | 'activeQrCodes' | 'customDomains' | 'members';

export interface Meter {
  id: MeterId;
  label: string;
  noun: string;
  used: number;
  limit: number | null;
  level: UsageLevel;
}

interface UsageView {
  usage: Record<MeterId, number>;
  limits: {
    linksPerMonth: number | null;
    activeQrCodes: number | null;
    customDomains: number | null;
    members: number | null;
  };
}

const METERS: { id: MeterId; label: string; noun: string; limit: keyof UsageView['limits'] }[] = [
  {
    id: 'linksThisPeriod',
    label: 'Links created this month',
    noun: 'new links this month',
    limit: 'linksPerMonth',
  },
  {
    id: 'activeQrCodes',
    label: 'Active QR codes',
    noun: 'active QR codes',
    limit: 'activeQrCodes',
  },
  { id: 'customDomains', label: 'Custom domains', noun: 'custom domains', limit: 'customDomains' },
  { id: 'members', label: 'Members', noun: 'members', limit: 'members' },
];

export function meters(view: UsageView): Meter[] {
  return METERS.map(({ id, label, noun, limit }) => {
    const used = view.usage[id];
    const max = view.limits[limit];
    return { id, label, noun, used, limit: max, level: usageLevel(used, max) };
  });
}

/**
 * The sentence a banner shows for the meters that matter on a page, most severe first; null
 * when none is at 80 % yet. A limit of 0 (a feature the plan lacks) is not a warning.
 */
export function usageWarning(
  all: Meter[],
  relevant: readonly MeterId[],
): { level: 'warning' | 'exhausted'; message: string } | null {
  const hits = all
    .filter((m) => relevant.includes(m.id) && m.limit !== 0)
    .filter((m) => m.level === 'warning' || m.level === 'exhausted')
    .sort((a, b) => (a.level === b.level ? 0 : a.level === 'exhausted' ? -1 : 1));
  const first = hits[0];
  if (!first || first.limit === null) return null;
  const what = first.noun;
  return first.level === 'exhausted'
    ? {
        level: 'exhausted',
        message: `You have reached your plan's limit of ${first.limit} ${what}. Upgrade to add more.`,
      }
    : {
        level: 'warning',
        message: `You have used ${first.used} of ${first.limit} ${what} (${Math.floor((first.used / first.limit) * 100)} %).`,
      };
}
