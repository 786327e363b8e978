import type * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  codeKey,
  generateCode,
  normalizeCode,
  reservedCodeError,
  validateCustomSlug,
  type ReservedCodes,
} from './codes.js';

/** Symbols randomInt hands out before falling back to real randomness. */
const forced = vi.hoisted(() => [] as number[]);
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return { ...real, randomInt: (max: number) => forced.shift() ?? real.randomInt(max) };
});

const NONE: ReservedCodes = new Set();

describe('generateCode', () => {
  it('uses 8 characters of Crockford base32, at least 40 bits', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
    expect(CODE_LENGTH * Math.log2(CODE_ALPHABET.length)).toBeGreaterThanOrEqual(40);
    for (let i = 0; i < 1000; i++) expect(generateCode(NONE)).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  });

  it('does not repeat over 100,000 codes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(generateCode(NONE));
    expect(seen.size).toBe(100_000);
  });

  it('uses every symbol at every position about equally (chi-squared)', () => {
    const samples = 20_000;
    const counts = Array.from({ length: CODE_LENGTH }, () => new Array<number>(32).fill(0));
    for (let i = 0; i < samples; i++) {
      const code = generateCode(NONE);
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

  it('draws again when it hits an excluded key', () => {
    forced.push(
      ...new Array<number>(CODE_LENGTH).fill(0),
      ...new Array<number>(CODE_LENGTH).fill(1),
    );
    expect(generateCode(new Set(['00000000']))).toBe('11111111');
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
    const code = generateCode(NONE);
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
  ])('refuses %j: %s', (slug, message) => {
    expect(validateCustomSlug(slug)).toEqual({ field: '/code', message });
  });

  it('names the field it was given', () => {
    expect(validateCustomSlug('a b', '/links/3/code')?.field).toBe('/links/3/code');
  });
});

describe('reservedCodeError', () => {
  const reserved: ReservedCodes = new Set(['API', 'RESET-PASSWORD']);

  it.each(['api', 'API', 'Reset-Password'])('refuses %j in any case', (code) => {
    expect(reservedCodeError(code, reserved)).toEqual({
      field: '/code',
      message: `"${code}" is reserved`,
    });
  });

  it('lets other codes through', () => {
    expect(reservedCodeError('apis', reserved)).toBeNull();
    expect(reservedCodeError('reset', reserved)).toBeNull();
  });
});
