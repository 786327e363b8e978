import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.js';

describe('BoundedCache', () => {
  it('computes once per key while the key is cached', () => {
    const cache = new BoundedCache<string, number>(10);
    let calls = 0;
    const length = (key: string): number => {
      calls += 1;
      return key.length;
    };
    expect(cache.getOrCompute('abc', length)).toBe(3);
    expect(cache.getOrCompute('abc', length)).toBe(3);
    expect(calls).toBe(1);
  });

  it('caches an undefined result like any other', () => {
    const cache = new BoundedCache<string, undefined>(10);
    let calls = 0;
    const nothing = (): undefined => {
      calls += 1;
      return undefined;
    };
    cache.getOrCompute('a', nothing);
    cache.getOrCompute('a', nothing);
    expect(calls).toBe(1);
  });

  it('never holds more than its cap and drops the oldest entry first', () => {
    const cache = new BoundedCache<number, number>(3);
    for (let key = 0; key < 1000; key++) cache.getOrCompute(key, (k) => k * 2);
    expect(cache.size).toBe(3);
    expect([997, 998, 999].every((key) => cache.has(key))).toBe(true);
    expect(cache.has(996)).toBe(false);
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
    expect(() => new BoundedCache(1.5)).toThrow(RangeError);
  });
});
