/**
 * Progressive delay after failed logins (ACC-03), per account and per client IP: the first
 * few failures cost nothing, then each further attempt must wait twice as long as the last,
 * up to a cap. It slows guessing to a crawl without letting anyone lock a user out for long.
 */
interface Failures {
  count: number;
  last: number;
}

export interface ThrottlePolicy {
  /** Failures allowed before any delay. */
  free: number;
  /** Longest delay, in ms. */
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = {
  free: 3,
  maxDelayMs: 60_000,
  windowMs: 15 * 60_000,
};
export const IP_POLICY: ThrottlePolicy = { free: 10, maxDelayMs: 300_000, windowMs: 15 * 60_000 };

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly policy: ThrottlePolicy,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds the caller must still wait before another attempt (0 = go ahead). */
  waitMs(key: string, now: number): number {
    const entry = this.failures.get(key);
    if (!entry || now - entry.last > this.policy.windowMs) return 0;
    const over = entry.count - this.policy.free;
    if (over < 0) return 0;
    const delay = Math.min(1000 * 2 ** over, this.policy.maxDelayMs);
    return Math.max(0, entry.last + delay - now);
  }

  fail(key: string, now: number): void {
    const entry = this.failures.get(key);
    if (entry && now - entry.last <= this.policy.windowMs) {
      entry.count++;
      entry.last = now;
      return;
    }
    if (this.failures.size >= this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(key, { count: 1, last: now });
  }

  /** Takes back one counted failure (an attempt counted up front turned out to succeed). */
  forgive(key: string): void {
    const entry = this.failures.get(key);
    if (!entry) return;
    entry.count--;
    if (entry.count <= 0) this.failures.delete(key);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }
}
