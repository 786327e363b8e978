import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatorPolynomial, gfMultiply, writeEccCodewords } from './reed-solomon.js';

function ecc(data: number[], degree: number): number[] {
  const out = new Uint8Array(degree);
  writeEccCodewords(Uint8Array.from(data), 0, data.length, degree, out, 0);
  return [...out];
}

/** Evaluates a polynomial (highest power first) at x over GF(256), by Horner's rule. */
function evaluate(coefficients: readonly number[], x: number): number {
  return coefficients.reduce((acc, c) => gfMultiply(acc, x) ^ c, 0);
}

describe('Reed-Solomon error correction', () => {
  it('reproduces the worked example of the standard ("01234567", version 1-M)', () => {
    const data = [
      0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec,
      0x11,
    ];
    expect(ecc(data, 10)).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  });

  it('reproduces "HELLO WORLD" at version 1-M', () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    expect(ecc(data, 10)).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  it('has the generator polynomial of degree 7 given in Annex A', () => {
    // x^7 + α^87 x^6 + α^229 x^5 + α^146 x^4 + α^149 x^3 + α^238 x^2 + α^102 x + α^21
    const alpha = (power: number): number => {
      let value = 1;
      for (let i = 0; i < power; i++) value = gfMultiply(value, 2);
      return value;
    };
    expect([...generatorPolynomial(7)]).toEqual([87, 229, 146, 149, 238, 102, 21].map(alpha));
  });

  it('makes codewords whose polynomial vanishes at every generator root', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 150 }),
        fc.constantFrom(7, 10, 13, 15, 16, 17, 18, 20, 22, 24, 26, 28, 30),
        (data, degree) => {
          const codeword = [...data, ...ecc([...data], degree)];
          let root = 1;
          for (let i = 0; i < degree; i++) {
            expect(evaluate(codeword, root)).toBe(0);
            root = gfMultiply(root, 2);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
