/**
 * Constants of ISO/IEC 18004:2015 for QR Code Model 2: error-correction block structure
 * (Table 9), character-count indicator widths (Table 3), alignment pattern positions
 * (Annex E) and the BCH-coded format and version information (7.9, 7.10).
 */

export type EccLevel = 'L' | 'M' | 'Q' | 'H';

/** Ordinal of each level, weakest first; indexes the tables below. */
export const ECC_ORDINAL: Readonly<Record<EccLevel, number>> = { L: 0, M: 1, Q: 2, H: 3 };
export const ECC_LEVELS: readonly EccLevel[] = ['L', 'M', 'Q', 'H'];
/** The two-bit error-correction indicator of the format information (Table 12). */
const ECC_FORMAT_INDICATOR = [0b01, 0b00, 0b11, 0b10];

// Error-correction codewords per block, one row per level (L, M, Q, H), index = version.
// prettier-ignore
const ECC_CODEWORDS_PER_BLOCK: readonly (readonly number[])[] = [
  [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];

// Number of error-correction blocks, one row per level (L, M, Q, H), index = version.
// prettier-ignore
const ECC_BLOCK_COUNT: readonly (readonly number[])[] = [
  [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];

export const MIN_VERSION = 1;
export const MAX_VERSION = 40;

export function symbolSize(version: number): number {
  return version * 4 + 17;
}

/**
 * Centre coordinates (row and column alike) of the alignment patterns of a version:
 * 6, then evenly spaced (an even step) up to size - 7, as listed in Annex E.
 */
export function alignmentPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const last = symbolSize(version) - 7;
  // Version 32 is the one entry of Annex E that does not follow the rounded-up even step.
  const step = version === 32 ? 26 : Math.ceil((last - 6) / (count - 1) / 2) * 2;
  const positions = [6];
  for (let i = count - 2; i >= 0; i--) positions.push(last - i * step);
  return positions;
}

/** Modules left for codewords once every function pattern and the format/version areas are placed. */
export function dataModuleCount(version: number): number {
  const size = symbolSize(version);
  const alignCount = version === 1 ? 0 : Math.floor(version / 7) + 2;
  // 5x5 alignment patterns, minus the 3 that would overlap the finder patterns.
  const alignModules = alignCount === 0 ? 0 : (alignCount * alignCount - 3) * 25;
  // Alignment patterns on row/column 6 overlap the timing patterns by 5 modules each.
  const alignOnTiming = alignCount === 0 ? 0 : (alignCount - 2) * 2 * 5;
  const finders = 3 * 64; // 7x7 finder plus its one-module separator
  const timing = 2 * (size - 16);
  const format = 31; // 2 x 15 format bits plus the dark module
  const versionInfo = version >= 7 ? 36 : 0;
  return size * size - finders - timing - alignModules + alignOnTiming - format - versionInfo;
}

export interface BlockLayout {
  /** Codewords in the whole symbol (data + error correction). */
  totalCodewords: number;
  dataCodewords: number;
  eccPerBlock: number;
  blockCount: number;
  /** Blocks with `shortDataLength` data codewords come first; the rest carry one more. */
  shortBlockCount: number;
  shortDataLength: number;
}

const layouts: BlockLayout[] = [];

export function blockLayout(version: number, ecc: number): BlockLayout {
  const key = version * 4 + ecc;
  const cached = layouts[key];
  if (cached) return cached;
  const totalCodewords = dataModuleCount(version) >> 3;
  const eccPerBlock = ECC_CODEWORDS_PER_BLOCK[ecc]![version]!;
  const blockCount = ECC_BLOCK_COUNT[ecc]![version]!;
  const shortBlockCount = blockCount - (totalCodewords % blockCount);
  const layout: BlockLayout = {
    totalCodewords,
    dataCodewords: totalCodewords - eccPerBlock * blockCount,
    eccPerBlock,
    blockCount,
    shortBlockCount,
    shortDataLength: Math.floor(totalCodewords / blockCount) - eccPerBlock,
  };
  layouts[key] = layout;
  return layout;
}

/** Data capacity in bits, indexed by version * 4 + ecc ordinal. */
export const DATA_BITS: Int32Array = (() => {
  const bits = new Int32Array((MAX_VERSION + 1) * 4);
  for (let v = MIN_VERSION; v <= MAX_VERSION; v++) {
    for (let e = 0; e < 4; e++) bits[v * 4 + e] = blockLayout(v, e).dataCodewords * 8;
  }
  return bits;
})();

/** Remainder of `value * 2^(degree of generator)` divided by `generator`, over GF(2). */
function bchRemainder(value: number, generator: number, generatorDegree: number): number {
  let rem = value << generatorDegree;
  for (let bit = 31 - Math.clz32(rem); bit >= generatorDegree; bit--) {
    if ((rem >>> bit) & 1) rem ^= generator << (bit - generatorDegree);
  }
  return rem;
}

/** The 15 format bits (already XOR-masked with 101010000010010) per ecc ordinal * 8 + mask. */
export const FORMAT_BITS: Uint16Array = (() => {
  const bits = new Uint16Array(32);
  for (let e = 0; e < 4; e++) {
    for (let mask = 0; mask < 8; mask++) {
      const data = (ECC_FORMAT_INDICATOR[e]! << 3) | mask;
      bits[e * 8 + mask] =
        ((data << 10) | bchRemainder(data, 0b10100110111, 10)) ^ 0b101010000010010;
    }
  }
  return bits;
})();

/** The 18 version-information bits for versions 7-40 (0 for smaller versions). */
export const VERSION_BITS: Int32Array = (() => {
  const bits = new Int32Array(MAX_VERSION + 1);
  for (let v = 7; v <= MAX_VERSION; v++) {
    bits[v] = (v << 12) | bchRemainder(v, 0b1111100100101, 12);
  }
  return bits;
})();
