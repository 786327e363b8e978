import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateApiKey, parseApiKey } from './api-key-format.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('API key format (ACC-07)', () => {
  it('is qrl_live_/qrl_test_ + 32 base62 + 6 base62 checksum characters', () => {
    for (const mode of ['live', 'test'] as const) {
      const key = generateApiKey(mode);
      expect(key).toMatch(new RegExp(`^qrl_${mode}_[0-9A-Za-z]{38}$`));
      expect(parseApiKey(key)).toBe(mode);
    }
  });

  it('carries ≥ 190 bits of randomness (no repeats, every base62 symbol used)', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateApiKey('live')));
    expect(keys.size).toBe(2000);
    const symbols = new Set([...keys].flatMap((k) => [...k.slice(9, 41)]));
    expect(symbols.size).toBe(62);
    expect(32 * Math.log2(62)).toBeGreaterThan(190);
  });

  it('rejects any single-character change (checksum), without a lookup', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('live', 'test'),
        fc.integer({ min: 9, max: 46 }),
        fc.integer({ min: 1, max: 61 }),
        (mode, position, shift) => {
          // Both prefixes are 9 characters; positions 9–46 are the random part and checksum.
          const key = generateApiKey(mode as 'live' | 'test');
          const index = position;
          const original = key[index] as string;
          const replaced = BASE62[(BASE62.indexOf(original) + shift) % 62] as string;
          const mutated = key.slice(0, index) + replaced + key.slice(index + 1);
          expect(parseApiKey(mutated)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects other shapes', () => {
    const key = generateApiKey('live');
    for (const bad of [
      '',
      key.replace('qrl_live_', 'qrl_prod_'),
      key.slice(0, -1),
      key + 'a',
      key.replace('qrl_', 'QRL_'),
      `${key.slice(0, 20)}-${key.slice(21)}`,
    ]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });
});
