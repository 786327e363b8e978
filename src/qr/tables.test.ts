import { describe, expect, it } from 'vitest';
import { encode, QrError } from './index.js';
import {
  DATA_BITS,
  ECC_LEVELS,
  FORMAT_BITS,
  VERSION_BITS,
  alignmentPositions,
  blockLayout,
  dataModuleCount,
} from './tables.js';

describe('alignment pattern positions (Annex E)', () => {
  it.each([
    [1, []],
    [2, [6, 18]],
    [7, [6, 22, 38]],
    [15, [6, 26, 48, 70]],
    [23, [6, 30, 54, 78, 102]],
    [32, [6, 34, 60, 86, 112, 138]],
    [36, [6, 24, 50, 76, 102, 128, 154]],
    [40, [6, 30, 58, 86, 114, 142, 170]],
  ])('version %i: %j', (version, positions) => {
    expect(alignmentPositions(version)).toEqual(positions);
  });
});

describe('codeword capacity', () => {
  it.each([
    [1, 208],
    [2, 359],
    [7, 1568],
    [14, 4651],
    [40, 29648],
  ])('version %i has %i data modules', (version, modules) => {
    expect(dataModuleCount(version)).toBe(modules);
  });

  it('matches the total and data codewords of Table 9 for sample versions', () => {
    expect(blockLayout(1, 0)).toMatchObject({
      totalCodewords: 26,
      dataCodewords: 19,
      blockCount: 1,
    });
    expect(blockLayout(5, 2)).toMatchObject({
      totalCodewords: 134,
      dataCodewords: 62,
      blockCount: 4,
    });
    expect(blockLayout(5, 2)).toMatchObject({ shortBlockCount: 2, shortDataLength: 15 });
    expect(blockLayout(40, 3)).toMatchObject({
      totalCodewords: 3706,
      dataCodewords: 1276,
      blockCount: 81,
    });
  });

  // Table 7 of ISO/IEC 18004:2015, for versions 1, 10 and 40: numeric, alphanumeric, byte, kanji.
  it.each([
    [1, 'L', [41, 25, 17, 10]],
    [1, 'H', [17, 10, 7, 4]],
    [10, 'L', [652, 395, 271, 167]],
    [10, 'H', [288, 174, 119, 74]],
    [40, 'L', [7089, 4296, 2953, 1817]],
    [40, 'M', [5596, 3391, 2331, 1435]],
    [40, 'Q', [3993, 2420, 1663, 1024]],
    [40, 'H', [3057, 1852, 1273, 784]],
  ] as const)('version %i-%s holds %j characters per mode', (version, ecc, capacities) => {
    const samples = ['7', 'A', 'a', '漢'];
    capacities.forEach((capacity, mode) => {
      const fill = (n: number): string => samples[mode]!.repeat(n);
      expect(encode(fill(capacity), { version, ecc, boostEcc: false }).version).toBe(version);
      expect(() => encode(fill(capacity + 1), { version, ecc, boostEcc: false })).toThrow(QrError);
    });
  });

  it('has data bits for every version and level, growing with the version', () => {
    for (let e = 0; e < 4; e++) {
      for (let v = 2; v <= 40; v++)
        expect(DATA_BITS[v * 4 + e]).toBeGreaterThan(DATA_BITS[(v - 1) * 4 + e]!);
    }
    expect(ECC_LEVELS).toEqual(['L', 'M', 'Q', 'H']);
  });
});

describe('format and version information', () => {
  // Annex C: the 15-bit sequences after XOR with 101010000010010.
  it.each([
    ['L', ['111011111000100', '111001011110011', '111110110101010', '111100010011101']],
    ['M', ['101010000010010', '101000100100101', '101111001111100', '101101101001011']],
    ['Q', ['011010101011111', '011000001101000', '011111100110001', '011101000000110']],
    ['H', ['001011010001001', '001001110111110', '001110011100111', '001100111010000']],
  ] as const)('format bits of level %s, masks 0-3', (level, expected) => {
    const e = ECC_LEVELS.indexOf(level);
    expect(
      [0, 1, 2, 3].map((mask) => FORMAT_BITS[e * 8 + mask]!.toString(2).padStart(15, '0')),
    ).toEqual(expected);
  });

  it('version information of Annex D', () => {
    expect(VERSION_BITS[7]).toBe(0x07c94);
    expect(VERSION_BITS[8]).toBe(0x085bc);
    expect(VERSION_BITS[21]).toBe(0x15683);
    expect(VERSION_BITS[40]).toBe(0x28c69);
    expect(VERSION_BITS[6]).toBe(0);
  });
});
