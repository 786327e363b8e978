import { describe, expect, it } from 'vitest';
import { breakdownLabel, presetRange } from './breakdown';

describe('breakdown labels', () => {
  it('names the empty key per dimension', () => {
    expect(breakdownLabel('referrer', '')).toBe('Direct / none');
    expect(breakdownLabel('country', '')).toBe('Unknown');
    expect(breakdownLabel('variant', '')).toBe('No rule (destination)');
  });
  it('counts rules and variants as people do', () => {
    expect(breakdownLabel('variant', 'rule 0')).toBe('Rule 1');
    expect(breakdownLabel('variant', 'rule 1 / variant 0')).toBe('Rule 2 · variant A');
    expect(breakdownLabel('variant', 'rule 1 / variant 2')).toBe('Rule 2 · variant C');
  });
  it('spells out countries, languages, systems and traffic classes', () => {
    expect(breakdownLabel('country', 'DE', 'en')).toBe('Germany');
    expect(breakdownLabel('language', 'de', 'en')).toBe('German');
    expect(breakdownLabel('os', 'ios')).toBe('iOS');
    expect(breakdownLabel('via', 'qr')).toBe('QR code scan');
    expect(breakdownLabel('class', 'unfurler')).toBe('Link preview');
    expect(breakdownLabel('referrer', 'news.example')).toBe('news.example');
  });
});

describe('range presets', () => {
  it('end at the next whole hour and pick an interval that fits', () => {
    const now = new Date('2026-07-01T10:25:00Z');
    expect(presetRange('24h', now)).toEqual({
      from: '2026-06-30T11:00:00.000Z',
      to: '2026-07-01T11:00:00.000Z',
      interval: 'hour',
    });
    expect(presetRange('7d', now)).toEqual({
      from: '2026-06-24T11:00:00.000Z',
      to: '2026-07-01T11:00:00.000Z',
      interval: 'day',
    });
    expect(presetRange('365d', now).interval).toBe('month');
  });
});
