import { packLines, wordsPerLine } from './penalty.js';
import { alignmentPositions, dataModuleCount, symbolSize, VERSION_BITS } from './tables.js';

/**
 * Everything about a version's module grid that does not depend on the data, computed once
 * per version and cached. Grids are bit-packed lines (see penalty.ts): `words` 32-bit words
 * per row (or column), module j of a line at bit j % 32 of word j / 32, 1 = dark.
 */
export interface VersionLayout {
  readonly size: number;
  readonly words: number;
  /** Packed rows with the function patterns drawn; format modules left light. */
  readonly templateRows: Uint32Array;
  /** Per data bit in placement order (7.7.3): (row word index << 5) | bit of its module. */
  readonly dataPositions: Uint32Array;
  /** Per mask pattern, packed rows and packed columns with 1 where it inverts a data module. */
  readonly maskRows: readonly Uint32Array[];
  readonly maskColumns: readonly Uint32Array[];
  /**
   * Format bit i % 15 (copy A for i < 15, copy B after): (row word index << 5) | bit, and
   * (column word index << 5) | bit, of its module.
   */
  readonly formatRowPositions: Uint32Array;
  readonly formatColumnPositions: Uint32Array;
}

/** The data mask conditions of Table 10 (i = row, j = column). */
const MASK_CONDITIONS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
];

function buildLayout(version: number): VersionLayout {
  const size = symbolSize(version);
  const words = wordsPerLine(size);
  const template = new Uint8Array(size * size);
  const reserved = new Uint8Array(size * size);
  const set = (row: number, col: number, dark: boolean): void => {
    template[row * size + col] = dark ? 1 : 0;
    reserved[row * size + col] = 1;
  };

  // Finder patterns with their light separators, clipped at the symbol edge.
  for (const [top, left] of [
    [0, 0],
    [0, size - 7],
    [size - 7, 0],
  ] as const) {
    for (let dr = -1; dr <= 7; dr++) {
      for (let dc = -1; dc <= 7; dc++) {
        const row = top + dr;
        const col = left + dc;
        if (row < 0 || row >= size || col < 0 || col >= size) continue;
        const ring = Math.max(Math.abs(dr - 3), Math.abs(dc - 3));
        set(row, col, ring !== 2 && ring !== 4);
      }
    }
  }

  // Timing patterns: alternating, dark on even indices.
  for (let k = 8; k < size - 8; k++) {
    set(6, k, k % 2 === 0);
    set(k, 6, k % 2 === 0);
  }

  // Alignment patterns, except the three that would overlap finder patterns.
  const centres = alignmentPositions(version);
  const last = centres.length - 1;
  centres.forEach((row, ri) => {
    centres.forEach((col, ci) => {
      if ((ri === 0 && (ci === 0 || ci === last)) || (ri === last && ci === 0)) return;
      for (let dr = -2; dr <= 2; dr++) {
        for (let dc = -2; dc <= 2; dc++) {
          set(row + dr, col + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
        }
      }
    });
  });

  // Format information (7.9.1), drawn per mask; [row, column] of bit i in each copy.
  const formatModules: [number, number][] = [];
  for (let i = 0; i < 15; i++) {
    // Copy A around the top-left finder: down column 8, then left along row 8, skipping timing.
    formatModules.push(i < 6 ? [i, 8] : i < 8 ? [i + 1, 8] : i === 8 ? [8, 7] : [8, 14 - i]);
  }
  for (let i = 0; i < 15; i++) {
    // Copy B split between the top-right (row 8) and bottom-left (column 8) finders.
    formatModules.push(i < 8 ? [8, size - 1 - i] : [size - 15 + i, 8]);
  }
  for (const [row, col] of formatModules) set(row, col, false);
  set(size - 8, 8, true); // the dark module beside copy B

  // Version information (7.10): two 6x3 blocks, bit i at (i / 3, size - 11 + i % 3) and transposed.
  if (version >= 7) {
    const bits = VERSION_BITS[version]!;
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >> i) & 1) === 1;
      const a = Math.floor(i / 3);
      const b = size - 11 + (i % 3);
      set(a, b, dark);
      set(b, a, dark);
    }
  }

  const rowPosition = (row: number, col: number): number =>
    ((row * words + (col >>> 5)) << 5) | (col & 31);

  // Data placement (7.7.3): two-module-wide columns from the right, alternately upwards and
  // downwards, skipping the vertical timing pattern.
  const dataPositions = new Uint32Array(dataModuleCount(version));
  let placed = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upwards = ((size - 1 - right) & 2) === 0;
    for (let step = 0; step < size; step++) {
      const row = upwards ? size - 1 - step : step;
      for (let col = right; col >= right - 1; col--) {
        if (!reserved[row * size + col]) dataPositions[placed++] = rowPosition(row, col);
      }
    }
  }
  if (placed !== dataPositions.length) {
    throw new Error(
      `QR layout of version ${version}: ${placed} data modules, expected ${dataPositions.length}`,
    );
  }

  const maskRows: Uint32Array[] = [];
  const maskColumns: Uint32Array[] = [];
  for (const condition of MASK_CONDITIONS) {
    const mask = new Uint8Array(size * size);
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        if (!reserved[row * size + col] && condition(row, col)) mask[row * size + col] = 1;
      }
    }
    maskRows.push(packLines(mask, size, false));
    maskColumns.push(packLines(mask, size, true));
  }

  return {
    size,
    words,
    templateRows: packLines(template, size, false),
    dataPositions,
    maskRows,
    maskColumns,
    formatRowPositions: Uint32Array.from(formatModules, ([row, col]) => rowPosition(row, col)),
    formatColumnPositions: Uint32Array.from(formatModules, ([row, col]) => rowPosition(col, row)),
  };
}

const layouts: (VersionLayout | undefined)[] = [];

export function versionLayout(version: number): VersionLayout {
  return (layouts[version] ??= buildLayout(version));
}
