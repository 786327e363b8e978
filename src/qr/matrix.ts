import type { VersionLayout } from './layout.js';
import { blockAndBalanceScore, lineRulesScore, transposeLines, unpackLines } from './penalty.js';
import { FORMAT_BITS } from './tables.js';

/** Packed lines of the largest symbol: 177 lines of 6 words. */
const MAX_LINE_WORDS = 177 * 6;

// Working buffers reused by every call, like those of codewords.ts.
const unmaskedRows = new Uint32Array(MAX_LINE_WORDS);
const unmaskedColumns = new Uint32Array(MAX_LINE_WORDS);
const candidateRows = new Uint32Array(MAX_LINE_WORDS);
const candidateColumns = new Uint32Array(MAX_LINE_WORDS);

/** Draws the codewords' bits over the template, as packed rows, without any mask. */
function placeCodewords(layout: VersionLayout, codewords: Uint8Array, count: number): Uint32Array {
  const rows = unmaskedRows;
  rows.set(layout.templateRows);
  const positions = layout.dataPositions;
  for (let b = 0, i = 0; b < count; b++) {
    const byte = codewords[b]!;
    for (let bit = 7; bit >= 0; bit--, i++) {
      const p = positions[i]!;
      rows[p >>> 5]! |= ((byte >> bit) & 1) << (p & 31);
    }
  }
  return rows;
}

/** ORs the set format bits into packed lines at the given positions. */
function drawFormat(lines: Uint32Array, positions: Uint32Array, format: number): void {
  for (let i = 0; i < 30; i++) {
    const p = positions[i]!;
    lines[p >>> 5]! |= ((format >> (i % 15)) & 1) << (p & 31);
  }
}

/**
 * Scores every mask on bit-packed rows and columns (the unmasked lines XOR the mask's
 * lines, plus that mask's format bits) and returns the one with the lowest penalty.
 */
function bestMask(layout: VersionLayout, rows: Uint32Array, ecc: number): number {
  const { size } = layout;
  const length = size * layout.words;
  const columns = unmaskedColumns;
  transposeLines(rows, size, columns);
  const maskedRows = candidateRows;
  const maskedColumns = candidateColumns;
  let best = 0;
  let bestScore = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    const maskRows = layout.maskRows[mask]!;
    const maskColumns = layout.maskColumns[mask]!;
    for (let w = 0; w < length; w++) {
      maskedRows[w] = rows[w]! ^ maskRows[w]!;
      maskedColumns[w] = columns[w]! ^ maskColumns[w]!;
    }
    const format = FORMAT_BITS[ecc * 8 + mask]!;
    drawFormat(maskedRows, layout.formatRowPositions, format);
    drawFormat(maskedColumns, layout.formatColumnPositions, format);
    // Cheapest rules first, so that a mask already worse than the best stops early.
    let score = blockAndBalanceScore(maskedRows, size);
    if (score >= bestScore) continue;
    score += lineRulesScore(maskedRows, size);
    if (score >= bestScore) continue;
    score += lineRulesScore(maskedColumns, size);
    if (score < bestScore) {
      bestScore = score;
      best = mask;
    }
  }
  return best;
}

/**
 * The finished module matrix: codewords placed over the function patterns, the given mask
 * (or the best one when `forcedMask` is -1) applied, and the format information drawn.
 */
export function drawSymbol(
  layout: VersionLayout,
  codewords: Uint8Array,
  count: number,
  ecc: number,
  forcedMask: number,
): { mask: number; modules: Uint8Array } {
  const { size } = layout;
  const rows = placeCodewords(layout, codewords, count);
  const mask = forcedMask >= 0 ? forcedMask : bestMask(layout, rows, ecc);
  const maskRows = layout.maskRows[mask]!;
  for (let w = 0, length = size * layout.words; w < length; w++) rows[w] = rows[w]! ^ maskRows[w]!;
  drawFormat(rows, layout.formatRowPositions, FORMAT_BITS[ecc * 8 + mask]!);
  const modules = new Uint8Array(size * size);
  unpackLines(rows, size, modules);
  return { mask, modules };
}
