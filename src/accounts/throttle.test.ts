import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginThrottle, type ThrottlePolicy } from './throttle.js';

const policy: ThrottlePolicy = { free: 3, maxDelayMs: 60_000, windowMs: 15 * 60_000 };

describe('LoginThrottle (ACC-03)', () => {
  it('lets the free failures through, then doubles the delay up to the cap', () => {
    const throttle = new LoginThrottle(policy);
    let now = 1_000_000;
    for (let i = 0; i < policy.free; i++) {
      expect(throttle.waitMs('a', now)).toBe(0);
      throttle.fail('a', now);
    }
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const wait = throttle.waitMs('a', now);
      delays.push(wait);
      now += wait;
      throttle.fail('a', now);
    }
    expect(delays.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...delays)).toBe(policy.maxDelayMs);
  });

  it('never asks for more than the cap, and forgets after the window', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 60 }), (gaps) => {
        const throttle = new LoginThrottle(policy);
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const wait = throttle.waitMs('k', now);
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(policy.maxDelayMs);
          throttle.fail('k', now);
        }
        expect(throttle.waitMs('k', now + policy.windowMs + 1)).toBe(0);
      }),
    );
  });

  it('keeps keys apart; reset and forgive undo failures', () => {
    const throttle = new LoginThrottle(policy);
    for (let i = 0; i <= policy.free; i++) throttle.fail('a', 0);
    expect(throttle.waitMs('a', 0)).toBeGreaterThan(0);
    expect(throttle.waitMs('b', 0)).toBe(0);
    throttle.forgive('a');
    expect(throttle.waitMs('a', 0)).toBeGreaterThan(0);
    throttle.forgive('a');
    expect(throttle.waitMs('a', 0)).toBe(0);
    throttle.reset('a');
    expect(throttle.waitMs('a', 0)).toBe(0);
  });

  it('stays bounded in memory', () => {
    const throttle = new LoginThrottle(policy, 100);
    for (let i = 0; i < 1000; i++) throttle.fail(`k${i}`, 0);
    // The oldest keys were dropped: k0 has no record left.
    expect(throttle.waitMs('k0', 0)).toBe(0);
  });
});
