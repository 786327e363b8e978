import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  RESERVED_SLUGS,
  codeKey,
  generateCode,
  isReservedSlug,
  normalizeCode,
  validateCustomSlug,
} from './codes.js';

describe('generateCode', () => {
  it('uses 8 characters of Crockford base32, at least 40 bits', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
    expect(CODE_LENGTH * Math.log2(CODE_ALPHABET.length)).toBeGreaterThanOrEqual(40);
    for (let i = 0; i < 1000; i++) expect(generateCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  });

  it('does not repeat over 100,000 codes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(generateCode());
    expect(seen.size).toBe(100_000);
  });

  it('uses every symbol at every position about equally (chi-squared)', () => {
    const samples = 20_000;
    const counts = Array.from({ length: CODE_LENGTH }, () => new Array<number>(32).fill(0));
    for (let i = 0; i < samples; i++) {
      const code = generateCode();
      for (let p = 0; p < CODE_LENGTH; p++) {
        const row = counts[p];
        const symbol = CODE_ALPHABET.indexOf(code.charAt(p));
        if (row !== undefined) row[symbol] = (row[symbol] ?? 0) + 1;
      }
    }
    const expected = samples / 32;
    for (const row of counts) {
      const chiSquared = row.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
      // 31 degrees of freedom: a fair generator exceeds 83.6 with probability 1e-6.
      expect(chiSquared).toBeLessThan(83.6);
    }
  });

  it('never yields a reserved word', () => {
    fc.assert(
      fc.property(fc.integer(), () => !isReservedSlug(generateCode())),
      { numRuns: 2000 },
    );
  });
});

describe('codeKey and normalizeCode', () => {
  it.each([
    ['abcd2345', 'ABCD2345'],
    ['ABCD2345', 'ABCD2345'],
    ['My_Slug-1', 'MY_SLUG-1'],
    ['a', 'A'],
  ])('%s → %s', (input, key) => {
    expect(normalizeCode(input)).toBe(key);
    expect(codeKey(input)).toBe(key);
  });

  it.each(['', 'a b', 'a/b', 'a.b', 'ü', '%41', 'x'.repeat(65)])(
    'refuses %j as a code',
    (input) => {
      expect(normalizeCode(input)).toBeNull();
    },
  );

  it('makes a generated code found however it is typed', () => {
    const code = generateCode();
    expect(normalizeCode(code.toLowerCase())).toBe(codeKey(code));
  });
});

describe('validateCustomSlug', () => {
  it.each(['promo', 'Summer-Sale_2025', 'a', 'x'.repeat(64), '0', '-', '_'])('accepts %j', (s) => {
    expect(validateCustomSlug(s)).toBeNull();
  });

  it.each([
    ['', 'must be 1–64 characters long'],
    ['x'.repeat(65), 'must be 1–64 characters long'],
    ['has space', 'may contain only letters, digits, "_" and "-"'],
    ['dot.ted', 'may contain only letters, digits, "_" and "-"'],
    ['ümlaut', 'may contain only letters, digits, "_" and "-"'],
    ['slash/y', 'may contain only letters, digits, "_" and "-"'],
    ['api', '"api" is reserved'],
    ['API', '"API" is reserved'],
    ['HealthZ', '"HealthZ" is reserved'],
    ['Well-Known', '"Well-Known" is reserved'],
  ])('refuses %j: %s', (slug, message) => {
    expect(validateCustomSlug(slug)).toEqual({ field: '/code', message });
  });

  it('refuses every reserved word in any case', () => {
    for (const word of RESERVED_SLUGS) {
      expect(isReservedSlug(word.toUpperCase())).toBe(true);
      if (/^[A-Za-z0-9_-]+$/.test(word)) expect(validateCustomSlug(word)).not.toBeNull();
    }
    for (const word of ['api', 'app', 'healthz', 'readyz', 'metrics', 'static', 'login']) {
      expect(RESERVED_SLUGS.has(word)).toBe(true);
    }
  });

  it('names the field it was given', () => {
    expect(validateCustomSlug('api', '/links/3/code')?.field).toBe('/links/3/code');
  });
});
