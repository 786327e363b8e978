import type { EnrichedScan } from '../../src/analytics/enrich/index.js';

/** An enriched scan ready for the store: a human on an iPhone in Germany, unless overridden. */
export function scanEvent(
  overrides: Partial<EnrichedScan> & Pick<EnrichedScan, 'id'>,
): EnrichedScan {
  return {
    time: Date.parse('2026-01-10T12:00:00Z'),
    linkId: 'lnk_x',
    workspaceId: 'wsp_x',
    domain: '',
    via: 'qr',
    ruleIndex: null,
    variantIndex: null,
    status: 302,
    trafficClass: 'human',
    bot: false,
    device: 'mobile',
    os: 'ios',
    browser: 'safari',
    country: 'DE',
    city: null,
    language: 'de',
    referrerHost: null,
    visitorHash: null,
    ...overrides,
  };
}
