import { countryName, languageName } from './format';
import { OPTION_LABELS } from './rules';

export type Dimension =
  'country' | 'device' | 'os' | 'browser' | 'referrer' | 'language' | 'via' | 'variant' | 'class';

const EMPTY_LABELS: Record<Dimension, string> = {
  country: 'Unknown',
  device: 'Unknown',
  os: 'Unknown',
  browser: 'Unknown',
  referrer: 'Direct / none',
  language: 'Not sent',
  via: 'Unknown',
  variant: 'No rule (destination)',
  class: 'Unknown',
};

const CLASS_LABELS: Record<string, string> = {
  human: 'Human',
  bot: 'Bot',
  unfurler: 'Link preview',
  prefetch: 'Prefetch',
  head: 'HEAD request',
};

/**
 * A breakdown key as people read it. Rollups store '' for "nothing sent" (no referrer, unknown
 * country) and rule/variant indices from 0 ("rule 1 / variant 0" is the second rule's variant A).
 */
export function breakdownLabel(dimension: Dimension, key: string, locale?: string): string {
  if (key === '') return EMPTY_LABELS[dimension];
  switch (dimension) {
    case 'country':
      return countryName(key, locale);
    case 'language':
      return languageName(key, locale);
    case 'via':
      return key === 'qr' ? 'QR code scan' : key === 'link' ? 'Link click' : key;
    case 'class':
      return CLASS_LABELS[key] ?? key;
    case 'variant': {
      const match = /^rule (\d+)(?: \/ variant (\d+))?$/.exec(key);
      if (!match) return key;
      const rule = `Rule ${Number(match[1]) + 1}`;
      return match[2] === undefined
        ? rule
        : `${rule} · variant ${String.fromCharCode(65 + Number(match[2]))}`;
    }
    default:
      return OPTION_LABELS[key] ?? key;
  }
}

export interface AnalyticsRange {
  from: string;
  to: string;
  interval: 'hour' | 'day' | 'week' | 'month';
}

export const RANGE_PRESETS = {
  '24h': { label: 'Last 24 hours', hours: 24, interval: 'hour' },
  '7d': { label: 'Last 7 days', hours: 24 * 7, interval: 'day' },
  '30d': { label: 'Last 30 days', hours: 24 * 30, interval: 'day' },
  '90d': { label: 'Last 90 days', hours: 24 * 90, interval: 'week' },
  '365d': { label: 'Last 12 months', hours: 24 * 365, interval: 'month' },
} as const;
export type RangePreset = keyof typeof RANGE_PRESETS;

/** A preset as an API range ending at the next whole hour (rollups are hourly). */
export function presetRange(preset: RangePreset, now = new Date()): AnalyticsRange {
  const { hours, interval } = RANGE_PRESETS[preset];
  const end = new Date(now);
  end.setUTCMinutes(0, 0, 0);
  end.setUTCHours(end.getUTCHours() + 1);
  const start = new Date(end.getTime() - hours * 3_600_000);
  return { from: start.toISOString(), to: end.toISOString(), interval };
}
