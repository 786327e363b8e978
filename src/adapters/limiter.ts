/**
 * Fixed-window counters for rate limits. In process memory by default; a Redis-backed
 * implementation with the same interface shares counters across nodes.
 */
export interface LimiterResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the current window resets. */
  resetMs: number;
}

export interface Limiter {
  hit(key: string, limit: number, windowMs: number): Promise<LimiterResult>;
  close(): Promise<void>;
}

interface Window {
  start: number;
  count: number;
}

/**
 * The counting itself, synchronous: fixed windows aligned to multiples of `windowMs`, at most
 * `maxKeys` keys (expired windows go first, then the oldest keys) so a flood of distinct keys
 * cannot grow memory.
 */
export class FixedWindows {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  hit(key: string, limit: number, windowMs: number): LimiterResult {
    const time = this.now();
    let window = this.#windows.get(key);
    if (!window || time - window.start >= windowMs) {
      if (!window && this.#windows.size >= this.maxKeys) this.#evict(time, windowMs);
      window = { start: time - (time % windowMs), count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    return {
      allowed: window.count <= limit,
      limit,
      remaining: Math.max(0, limit - window.count),
      resetMs: window.start + windowMs - time,
    };
  }

  clear(): void {
    this.#windows.clear();
  }

  #evict(time: number, windowMs: number): void {
    for (const [key, window] of this.#windows) {
      if (time - window.start >= windowMs) this.#windows.delete(key);
    }
    // Still full: drop the oldest keys (a Map iterates in insertion order) rather than grow.
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < this.maxKeys * 0.9) break;
      this.#windows.delete(key);
    }
  }
}

export function memoryLimiter(now: () => number = Date.now, maxKeys = 100_000): Limiter {
  const windows = new FixedWindows(now, maxKeys);
  return {
    async hit(key, limit, windowMs) {
      return windows.hit(key, limit, windowMs);
    },
    async close() {
      windows.clear();
    },
  };
}
