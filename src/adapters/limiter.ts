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

export function memoryLimiter(now: () => number = Date.now, maxKeys = 100_000): Limiter {
  const windows = new Map<string, Window>();
  return {
    async hit(key, limit, windowMs) {
      const time = now();
      let window = windows.get(key);
      if (!window || time - window.start >= windowMs) {
        if (!window && windows.size >= maxKeys) evict(windows, time, windowMs, maxKeys);
        window = { start: time - (time % windowMs), count: 0 };
        windows.set(key, window);
      }
      window.count++;
      return {
        allowed: window.count <= limit,
        limit,
        remaining: Math.max(0, limit - window.count),
        resetMs: window.start + windowMs - time,
      };
    },
    async close() {
      windows.clear();
    },
  };
}

function evict(
  windows: Map<string, Window>,
  time: number,
  windowMs: number,
  maxKeys: number,
): void {
  for (const [key, window] of windows) if (time - window.start >= windowMs) windows.delete(key);
  // Still full: drop the oldest keys (a Map iterates in insertion order) rather than grow unbounded.
  for (const key of windows.keys()) {
    if (windows.size < maxKeys * 0.9) break;
    windows.delete(key);
  }
}
