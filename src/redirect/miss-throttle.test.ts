import { describe, expect, it } from 'vitest';
import { clientKey, MissThrottle } from './miss-throttle.js';

const T0 = Date.parse('2026-11-26T10:00:00Z');
let now = T0;
const clock = () => now;
/** One miss at a given time. */
const missAt = (throttle: MissThrottle, ip: string, time: number) => {
  now = time;
  return throttle.miss(ip);
};

describe('MissThrottle (RED-09)', () => {
  it('allows the budget of misses per window, then asks to wait until the window ends', () => {
    const throttle = new MissThrottle(clock, { limit: 3, windowMs: 60_000 });
    const waits = [0, 1, 2, 3, 4].map((i) => missAt(throttle, '203.0.113.5', T0 + i * 1000));
    expect(waits).toEqual([0, 0, 0, 57, 56]);
    expect(missAt(throttle, '203.0.113.6', T0 + 5000)).toBe(0);
    expect(missAt(throttle, '203.0.113.5', T0 + 60_000)).toBe(0);
  });

  it('turns ≥ 99 % of a 100 req/s random-code scan into waits after its first minute', () => {
    const throttle = new MissThrottle(clock);
    let refused = 0;
    let total = 0;
    for (let ms = 0; ms < 5 * 60_000; ms += 10) {
      const wait = missAt(throttle, '198.51.100.9', T0 + ms);
      if (ms >= 60_000) {
        total++;
        if (wait > 0) refused++;
      }
    }
    expect(refused / total).toBeGreaterThanOrEqual(0.99);
  });

  it('stays bounded in memory under a flood of addresses', () => {
    const throttle = new MissThrottle(clock, { limit: 1, windowMs: 60_000 }, 100);
    for (let i = 0; i < 1000; i++) missAt(throttle, `10.0.${i >> 8}.${i & 255}`, T0);
    // The first address's window was evicted: it starts afresh.
    expect(missAt(throttle, '10.0.0.0', T0)).toBe(0);
  });
});

describe('clientKey', () => {
  it('keeps IPv4 addresses and groups IPv6 addresses by /64', () => {
    expect(clientKey('203.0.113.5')).toBe('203.0.113.5');
    expect(clientKey('::ffff:203.0.113.5')).toBe('::ffff:203.0.113.5');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('2001:db8::1:2:3:4:5')).toBe('2001:db8:0:1::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('unknown')).toBe('unknown');
  });
});
