/**
 * A Map with a size cap for memoising pure functions of attacker-chosen strings (user agents):
 * once full, the oldest entry is dropped, so a flood of distinct keys cannot grow memory.
 * Insertion order rather than recency decides eviction, so a hit stays a single Map lookup.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Returns the cached value for `key`, computing and storing it on a miss. */
  getOrCompute(key: K, compute: (key: K) => V): V {
    const cached = this.#entries.get(key);
    if (cached !== undefined) return cached;
    const value = compute(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
    return value;
  }
}
