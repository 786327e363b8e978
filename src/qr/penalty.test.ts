import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from './index.js';
import { packLines, penaltyScore, transposeLines, unpackLines, wordsPerLine } from './penalty.js';

/** Table 11 evaluated the obvious way, module by module, to check the bit-parallel version. */
function referencePenalty(m: Uint8Array, size: number): number {
  const at = (r: number, c: number, columns: boolean): number =>
    columns ? m[c * size + r]! : m[r * size + c]!;
  let score = 0;
  for (const columns of [false, true]) {
    for (let r = 0; r < size; r++) {
      let run = 1;
      for (let c = 1; c <= size; c++) {
        if (c < size && at(r, c, columns) === at(r, c - 1, columns)) {
          run++;
        } else {
          if (run >= 5) score += 3 + run - 5;
          run = 1;
        }
      }
      const line = [
        0,
        0,
        0,
        0,
        ...Array.from({ length: size }, (_, c) => at(r, c, columns)),
        0,
        0,
        0,
        0,
      ].join('');
      for (let j = 0; j + 11 <= line.length; j++) {
        const window = line.slice(j, j + 11);
        if (window === '00001011101' || window === '10111010000') score += 40;
      }
    }
  }
  for (let r = 0; r + 1 < size; r++) {
    for (let c = 0; c + 1 < size; c++) {
      const a = m[r * size + c];
      if (
        a === m[r * size + c + 1] &&
        a === m[(r + 1) * size + c] &&
        a === m[(r + 1) * size + c + 1]
      )
        score += 3;
    }
  }
  const dark = m.reduce((sum, x) => sum + x, 0);
  return score + 10 * Math.floor(Math.abs((dark * 100) / (size * size) - 50) / 5);
}

function matrix(size: number, dark: (r: number, c: number) => boolean): Uint8Array {
  const m = new Uint8Array(size * size);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) m[r * size + c] = dark(r, c) ? 1 : 0;
  return m;
}

describe('mask penalty (Table 11)', () => {
  it('scores an all-light symbol: runs, blocks and balance', () => {
    // N1: 21 rows + 21 columns, each one run of 21 (3 + 16); N2: 20 x 20 blocks; N4: 0 % dark.
    expect(
      penaltyScore(
        matrix(21, () => false),
        21,
      ),
    ).toBe(42 * 19 + 400 * 3 + 100);
  });

  it('scores a checkerboard 0 (no runs, no blocks, balanced)', () => {
    expect(
      penaltyScore(
        matrix(21, (r, c) => (r + c) % 2 === 0),
        21,
      ),
    ).toBe(0);
  });

  it('scores a finder-like pattern with light space on both sides twice', () => {
    // Light 25 x 25 symbol with 1011101 in row 12, columns 7-13.
    const m = matrix(25, (r, c) => r === 12 && [7, 9, 10, 11, 13].includes(c));
    const n1 = 24 * 23 + (5 + 9) + 20 * 23 + 5 * (10 + 10); // runs in rows, then in columns
    const n2 = 3 * (24 * 24 - 16); // all 2x2 blocks but the 16 touching a dark module
    const n3 = 2 * 40; // 4 light modules before it, and 4 after it
    const n4 = 10 * 9; // 5 dark of 625 is 0.8 %: 9 full steps of 5 % from 50 %
    expect(penaltyScore(m, 25)).toBe(n1 + n2 + n3 + n4);
  });

  it('counts a finder-like pattern at the edge against the light quiet zone', () => {
    const edge = matrix(21, (r, c) => r === 10 && [0, 2, 3, 4, 6].includes(c));
    expect(penaltyScore(edge, 21)).toBe(referencePenalty(edge, 21));
  });

  it('agrees with a module-by-module evaluation on random matrices of every width', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(21, 25, 29, 31, 32, 33, 45, 63, 64, 65, 97, 177),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer(),
        (size, density, seed) => {
          let state = seed;
          const m = matrix(size, () => {
            state = (Math.imul(state, 1103515245) + 12345) | 0;
            return (state >>> 8) / 16777216 < density;
          });
          expect(penaltyScore(m, size)).toBe(referencePenalty(m, size));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('chooses the mask with the lowest penalty', () => {
    for (const text of [
      'https://example.com',
      'HELLO WORLD',
      '01234567890123456789',
      'qrlink ' + 'x'.repeat(100),
    ]) {
      const chosen = encode(text);
      const scores = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => {
        const forced = encode(text, { mask });
        return penaltyScore(forced.modules, forced.size);
      });
      expect(chosen.mask).toBe(scores.indexOf(Math.min(...scores)));
    }
  });
});

describe('packed lines', () => {
  it('round-trips through packing, transposing and unpacking', () => {
    for (const size of [21, 33, 57, 177]) {
      const m = matrix(size, (r, c) => (r * 7 + c * 13 + r * c) % 5 < 2);
      const rows = packLines(m, size, false);
      const columns = new Uint32Array(size * wordsPerLine(size));
      transposeLines(rows, size, columns);
      expect(columns).toEqual(packLines(m, size, true));
      const out = new Uint8Array(size * size);
      unpackLines(rows, size, out);
      expect(out).toEqual(m);
    }
  });
});
