import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { throttleWaitMs, type Failures, type ThrottlePolicy } from './throttle.js';

const policy: ThrottlePolicy = { free: 3, maxDelayMs: 60_000, windowMs: 15 * 60_000 };

/** Replays failures the way LoginThrottle counts them: only attempts allowed to go ahead. */
function replay(gaps: readonly number[]): { waits: number[]; failures: Failures | null } {
  let failures: Failures | null = null;
  let now = 0;
  const waits: number[] = [];
  for (const gap of gaps) {
    now += gap;
    const wait = throttleWaitMs(policy, failures, now);
    waits.push(wait);
    if (wait > 0) continue;
    const recent: boolean = failures !== null && now - failures.last <= policy.windowMs;
    failures = { count: recent && failures ? failures.count + 1 : 1, last: now };
  }
  return { waits, failures };
}

describe('throttleWaitMs (ACC-03)', () => {
  it('lets the free failures through, then doubles the delay up to the cap', () => {
    let failures: Failures | null = null;
    let now = 1_000_000;
    for (let i = 0; i < policy.free; i++) {
      expect(throttleWaitMs(policy, failures, now)).toBe(0);
      failures = { count: i + 1, last: now };
    }
    const delays: number[] = [];
    for (let i = 0; i < 10 && failures; i++) {
      const wait = throttleWaitMs(policy, failures, now);
      delays.push(wait);
      now += wait;
      failures = { count: failures.count + 1, last: now };
    }
    expect(delays.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...delays)).toBe(policy.maxDelayMs);
  });

  it('never asks for more than the cap, and forgets after the window', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 60 }), (gaps) => {
        const { waits, failures } = replay(gaps);
        for (const wait of waits) {
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(policy.maxDelayMs);
        }
        const end = gaps.reduce((a, b) => a + b, 0);
        expect(throttleWaitMs(policy, failures, end + policy.windowMs + 1)).toBe(0);
      }),
    );
  });

  it('asks nothing without failures, and nothing once the wait has passed', () => {
    expect(throttleWaitMs(policy, null, 0)).toBe(0);
    const failures = { count: policy.free + 2, last: 10_000 };
    expect(throttleWaitMs(policy, failures, 10_000)).toBe(4000);
    expect(throttleWaitMs(policy, failures, 13_000)).toBe(1000);
    expect(throttleWaitMs(policy, failures, 14_000)).toBe(0);
  });
});
