import { describe, expect, it } from 'vitest';
import { meters, usageLevel, usageRatio, usageWarning } from './usage';

describe('usage levels', () => {
  it('warns from 80 % and is exhausted at 100 %', () => {
    expect(usageLevel(0, 10)).toBe('ok');
    expect(usageLevel(7, 10)).toBe('ok');
    expect(usageLevel(8, 10)).toBe('warning');
    expect(usageLevel(9, 10)).toBe('warning');
    expect(usageLevel(10, 10)).toBe('exhausted');
    expect(usageLevel(12, 10)).toBe('exhausted');
  });
  it('handles thresholds that are not whole numbers (80 % of 50 is 40, of 3 is 2.4)', () => {
    expect(usageLevel(39, 50)).toBe('ok');
    expect(usageLevel(40, 50)).toBe('warning');
    expect(usageLevel(2, 3)).toBe('ok');
    expect(usageLevel(3, 3)).toBe('exhausted');
  });
  it('never warns without a limit', () => {
    expect(usageLevel(1_000_000, null)).toBe('unlimited');
    expect(usageRatio(5, null)).toBeNull();
  });
  it('fills a meter up to, never past, its limit', () => {
    expect(usageRatio(5, 10)).toBe(0.5);
    expect(usageRatio(15, 10)).toBe(1);
    expect(usageRatio(0, 0)).toBe(1);
  });
});

const view = (
  usage: Partial<Record<string, number>>,
  limits: Partial<Record<string, number | null>> = {},
) => ({
  usage: { linksThisPeriod: 0, activeQrCodes: 0, customDomains: 0, members: 1, ...usage },
  limits: { linksPerMonth: 50, activeQrCodes: 10, customDomains: 0, members: 1, ...limits },
});

describe('usage warnings', () => {
  it('says nothing under 80 %', () => {
    expect(usageWarning(meters(view({ linksThisPeriod: 39 })), ['linksThisPeriod'])).toBeNull();
  });
  it('warns at 80 % with the figures', () => {
    expect(usageWarning(meters(view({ activeQrCodes: 8 })), ['activeQrCodes'])).toEqual({
      level: 'warning',
      message: 'You have used 8 of 10 active QR codes (80 %).',
    });
  });
  it('puts an exhausted limit before a warning', () => {
    const warning = usageWarning(meters(view({ linksThisPeriod: 45, activeQrCodes: 10 })), [
      'linksThisPeriod',
      'activeQrCodes',
    ]);
    expect(warning?.level).toBe('exhausted');
    expect(warning?.message).toContain('limit of 10 active QR codes');
  });
  it('only looks at the meters a page cares about', () => {
    expect(usageWarning(meters(view({ activeQrCodes: 10 })), ['members'])).not.toBeNull();
    expect(
      usageWarning(meters(view({ activeQrCodes: 10 }, { members: 5 })), ['members']),
    ).toBeNull();
  });
  it('does not call a feature the plan lacks (limit 0) a limit reached', () => {
    expect(usageWarning(meters(view({ customDomains: 0 })), ['customDomains'])).toBeNull();
  });
  it('never warns on unlimited plans', () => {
    const unlimited = {
      linksPerMonth: null,
      activeQrCodes: null,
      customDomains: null,
      members: null,
    };
    expect(
      usageWarning(meters(view({ linksThisPeriod: 10_000 }, unlimited)), ['linksThisPeriod']),
    ).toBeNull();
  });
});
