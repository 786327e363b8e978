/**
 * Penalty score of a masked symbol (ISO/IEC 18004:2015, 7.8.3.1, Table 11); the encoder
 * keeps the mask with the lowest score.
 *
 * N1: a run of 5 or more same-coloured modules in a row or column scores 3 + (length - 5).
 * N2: each 2x2 block of one colour scores 3 (overlapping blocks all count).
 * N3: each 1:1:3:1:1 finder-like pattern (dark-light-dark-dark-dark-light-dark) with 4
 *     light modules before it, and again with 4 after it, scores 40; the area outside the
 *     symbol counts as light, since the quiet zone is light.
 * N4: 10 for every full 5 % the dark proportion deviates from 50 %.
 *
 * The rules are evaluated on bit-packed lines, 32 modules per operation: each row (and
 * each column, transposed) is `words` 32-bit words with module j at bit j % 32 of word
 * j / 32, 1 = dark, and zero bits past the end of the line.
 */
export const N1 = 3;
export const N2 = 3;
export const N3 = 40;
export const N4 = 10;

export function wordsPerLine(size: number): number {
  return (size + 31) >>> 5;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Bits of word `word` for positions j <= last (module positions of the whole line). */
function upTo(last: number, word: number): number {
  const bits = last - word * 32 + 1;
  return bits <= 0 ? 0 : bits >= 32 ? -1 : (1 << bits) - 1;
}

/** Per-size masks of the positions where a rule's window lies inside the line. */
interface LineMasks {
  /** j <= size - 2: a module and its successor. */
  pair: Int32Array;
  /** j <= size - 5: five modules from j. */
  five: Int32Array;
  /** j <= size - 6: five modules from j + 1. */
  fiveNext: Int32Array;
}

const lineMasks: (LineMasks | undefined)[] = [];

function masksFor(size: number): LineMasks {
  let masks = lineMasks[size];
  if (!masks) {
    const words = wordsPerLine(size);
    const make = (last: number): Int32Array =>
      Int32Array.from({ length: words }, (_, w) => upTo(last, w));
    masks = { pair: make(size - 2), five: make(size - 5), fiveNext: make(size - 6) };
    lineMasks[size] = masks;
  }
  return masks;
}

/** N1 + N3 over `size` packed lines (all rows, or all columns). */
export function lineRulesScore(lines: Uint32Array, size: number): number {
  const words = wordsPerLine(size);
  const { five, fiveNext } = masksFor(size);
  let score = 0;
  for (let base = 0, end = size * words; base < end; base += words) {
    let previous = 0;
    for (let w = 0; w < words; w++) {
      const d = lines[base + w]!;
      const n = w + 1 < words ? lines[base + w + 1]! : 0;
      // s_k: the module k positions further along the line, for each bit position.
      const s1 = (d >>> 1) | (n << 31);
      const s2 = (d >>> 2) | (n << 30);
      const s3 = (d >>> 3) | (n << 29);
      const s4 = (d >>> 4) | (n << 28);
      const s5 = (d >>> 5) | (n << 27);
      const s6 = (d >>> 6) | (n << 26);
      // N1: `run` marks each j where modules j..j+4 share a colour; a run of length L has
      // L - 4 such marks and one last mark (no mark at j + 1): score (L - 4) + 2.
      const e1 = ~(s1 ^ s2);
      const e2 = ~(s2 ^ s3);
      const e3 = ~(s3 ^ s4);
      const run = ~(d ^ s1) & e1 & e2 & e3 & five[w]!;
      if (run !== 0) {
        const runNext = e1 & e2 & e3 & ~(s4 ^ s5) & fiveNext[w]!;
        score += popcount(run) + 2 * popcount(run & ~runNext);
      }
      // N3: 1011101 starting at j, then 4 light modules before j or after j + 6.
      const finder = d & ~s1 & s2 & s3 & s4 & ~s5 & s6;
      if (finder !== 0) {
        const darkBefore =
          (d << 1) |
          (previous >>> 31) |
          (d << 2) |
          (previous >>> 30) |
          (d << 3) |
          (previous >>> 29) |
          (d << 4) |
          (previous >>> 28);
        const darkAfter =
          (d >>> 7) |
          (n << 25) |
          (d >>> 8) |
          (n << 24) |
          (d >>> 9) |
          (n << 23) |
          (d >>> 10) |
          (n << 22);
        score += N3 * (popcount(finder & ~darkBefore) + popcount(finder & ~darkAfter));
      }
      previous = d;
    }
  }
  return score;
}

/** N2 (2x2 blocks of one colour) and N4 (dark proportion) over packed rows, in one pass. */
export function blockAndBalanceScore(rows: Uint32Array, size: number): number {
  const words = wordsPerLine(size);
  const { pair } = masksFor(size);
  let blocks = 0;
  let dark = 0;
  const lastRow = (size - 1) * words;
  for (let base = 0; base < lastRow; base += words) {
    for (let w = 0; w < words; w++) {
      const a = rows[base + w]!;
      const b = rows[base + words + w]!;
      const last = w + 1 === words;
      const a1 = (a >>> 1) | (last ? 0 : rows[base + w + 1]! << 31);
      const b1 = (b >>> 1) | (last ? 0 : rows[base + words + w + 1]! << 31);
      blocks += popcount(~(a ^ b) & ~(a1 ^ b1) & ~(a ^ a1) & pair[w]!);
      dark += popcount(a);
    }
  }
  for (let w = 0; w < words; w++) dark += popcount(rows[lastRow + w]!);
  const total = size * size;
  return N2 * blocks + N4 * Math.floor(Math.abs(dark * 20 - total * 10) / total);
}

/** Packs a size*size module matrix (1 = dark) into rows, or into columns when `transpose`. */
export function packLines(modules: Uint8Array, size: number, transpose: boolean): Uint32Array {
  const words = wordsPerLine(size);
  const lines = new Uint32Array(size * words);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (modules[r * size + c]) {
        const line = transpose ? c : r;
        const at = transpose ? r : c;
        lines[line * words + (at >>> 5)]! |= 1 << (at & 31);
      }
    }
  }
  return lines;
}

/** The full penalty of a module matrix; the encoder uses the parts on its own packed lines. */
export function penaltyScore(modules: Uint8Array, size: number): number {
  const rows = packLines(modules, size, false);
  const columns = packLines(modules, size, true);
  return (
    lineRulesScore(rows, size) + lineRulesScore(columns, size) + blockAndBalanceScore(rows, size)
  );
}

/** Transposes a 32x32 bit block in place: bit c of a[r] becomes bit r of a[c]. */
function transpose32(a: Int32Array): void {
  // Swap ever smaller sub-blocks across the diagonal: 16x16 quadrants, then 8x8, ... 1x1.
  for (let j = 16, m = 0x0000ffff; j !== 0; j >>>= 1, m ^= m << j) {
    for (let k = 0; k < 32; k = (k + j + 1) & ~j) {
      const t = ((a[k]! >>> j) ^ a[k + j]!) & m;
      a[k] = a[k]! ^ (t << j);
      a[k + j] = a[k + j]! ^ t;
    }
  }
}

const block = new Int32Array(32);

/** Writes the packed columns of a symbol given its packed rows. */
export function transposeLines(rows: Uint32Array, size: number, columns: Uint32Array): void {
  const words = wordsPerLine(size);
  for (let rowBlock = 0; rowBlock < words; rowBlock++) {
    for (let colBlock = 0; colBlock < words; colBlock++) {
      for (let i = 0, row = rowBlock * 32; i < 32; i++, row++) {
        block[i] = row < size ? rows[row * words + colBlock]! : 0;
      }
      transpose32(block);
      for (let j = 0, col = colBlock * 32; j < 32 && col < size; j++, col++) {
        columns[col * words + rowBlock] = block[j]!;
      }
    }
  }
}

/** Expands packed rows into a size*size byte matrix (1 = dark). */
export function unpackLines(rows: Uint32Array, size: number, out: Uint8Array): void {
  const words = wordsPerLine(size);
  let k = 0;
  for (let row = 0; row < size; row++) {
    for (let w = 0; w < words; w++) {
      const word = rows[row * words + w]!;
      const end = Math.min(32, size - w * 32);
      for (let b = 0; b < end; b++) out[k++] = (word >>> b) & 1;
    }
  }
}
