import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from './rollups.js';
import { bucketer, zoneBucketer } from './time-buckets.js';

describe('bucketer', () => {
  it('UTC arithmetic agrees with the Intl path on every hour of 2024–2027', () => {
    for (const interval of ['day', 'week', 'month'] as const) {
      const fast = bucketer(interval, 'UTC');
      const slow = zoneBucketer(interval, 'UTC');
      for (let h = Date.UTC(2024, 0, 1); h < Date.UTC(2028, 0, 1); h += 7 * HOUR_MS) {
        expect(fast(h), `${interval} ${new Date(h).toISOString()}`).toBe(slow(h));
      }
    }
  });

  it('starts weeks on Monday and months on the 1st', () => {
    const wednesday = Date.parse('2026-11-25T13:00:00Z');
    expect(new Date(bucketer('week', 'UTC')(wednesday)).toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
    expect(new Date(bucketer('month', 'UTC')(wednesday)).toISOString()).toBe(
      '2026-11-01T00:00:00.000Z',
    );
    expect(bucketer('hour', 'UTC')(wednesday)).toBe(wednesday);
  });

  it('uses local midnight in other zones, across DST, and shares the memo between calls', () => {
    const berlin = bucketer('day', 'Europe/Berlin');
    expect(bucketer('day', 'Europe/Berlin')).toBe(berlin);
    // 2026-03-29: Berlin switches from UTC+1 to UTC+2.
    expect(new Date(berlin(Date.parse('2026-03-28T23:00:00Z'))).toISOString()).toBe(
      '2026-03-28T23:00:00.000Z',
    );
    expect(new Date(berlin(Date.parse('2026-03-29T22:00:00Z'))).toISOString()).toBe(
      '2026-03-29T22:00:00.000Z',
    );
    expect(berlin(Date.parse('2026-03-29T21:00:00Z'))).toBe(Date.parse('2026-03-28T23:00:00Z'));
    expect(DAY_MS).toBe(24 * HOUR_MS);
  });
});
