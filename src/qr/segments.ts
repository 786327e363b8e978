import { kanjiCode } from './kanji.js';

export type QrMode = 'numeric' | 'alphanumeric' | 'byte' | 'kanji';

/** A run of the input encoded in one mode; `text` is the slice of the input it carries. */
export interface QrSegment {
  readonly mode: QrMode;
  readonly text: string;
}

export const NUMERIC = 0;
export const ALPHANUMERIC = 1;
export const BYTE = 2;
export const KANJI = 3;
export const MODE_NAMES: readonly QrMode[] = ['numeric', 'alphanumeric', 'byte', 'kanji'];
/** The 4-bit mode indicator of each mode (Table 2). */
export const MODE_INDICATORS = [0b0001, 0b0010, 0b0100, 0b1000];

/** Character-count indicator width per mode (row) and version range 1-9, 10-26, 27-40 (Table 3). */
const COUNT_BITS: readonly (readonly number[])[] = [
  [10, 12, 14],
  [9, 11, 13],
  [8, 16, 16],
  [8, 10, 12],
];

/** Index 0, 1 or 2 of the version range that sets the character-count indicator widths. */
export function versionRange(version: number): number {
  return version <= 9 ? 0 : version <= 26 ? 1 : 2;
}
export const RANGE_FIRST_VERSION = [1, 10, 27];
export const RANGE_LAST_VERSION = [9, 26, 40];

export function countBits(mode: number, range: number): number {
  return COUNT_BITS[mode]![range]!;
}

/** Alphanumeric value (Table 5) per ASCII code, -1 outside the 45-character set. */
export const ALPHANUMERIC_VALUE = new Int8Array(128).fill(-1);
{
  const charset = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  for (let i = 0; i < charset.length; i++) ALPHANUMERIC_VALUE[charset.charCodeAt(i)] = i;
}

/** Bits of the ECI header for ECI 000026 (UTF-8): mode indicator 0111 + one designator byte. */
export const ECI_UTF8_BITS = 12;

// Mode bits of a unit: bit (1 << mode) for each mode that can carry it.
export const BYTE_ONLY = 1 << BYTE;
const DIGIT = (1 << NUMERIC) | (1 << ALPHANUMERIC) | BYTE_ONLY;
const ALPHANUMERIC_ONLY = (1 << ALPHANUMERIC) | BYTE_ONLY;
export const KANJI_ONLY = 1 << KANJI;

/**
 * Per-code-unit facts the segmentation needs.
 *
 * Kanji mode holds Shift_JIS, byte mode holds UTF-8 here, and a decoder that sees both
 * without an ECI header tends to read the byte segments as Shift_JIS too. So kanji mode
 * is used only when that cannot change the text: no ECI header (zbar, for one, refuses
 * kanji segments after a UTF-8 ECI), every other character is ASCII other than \ and ~
 * (which Shift_JIS reads as ¥ and ‾), and every kanji-capable character then goes in
 * kanji mode, so that byte segments stay plain ASCII.
 */
export interface TextProfile {
  readonly text: string;
  /** Modes that can carry each unit, kanji aside: bits 1 << NUMERIC, ALPHANUMERIC, BYTE. */
  readonly modes: Uint8Array;
  /**
   * UTF-8 bytes each unit contributes: a surrogate pair counts 4 on its first half and 0
   * on its second; a lone surrogate becomes U+FFFD, 3 bytes, as TextEncoder does.
   */
  readonly byteLength: Uint8Array;
  /** Shift_JIS code of each unit that kanji mode can encode, else 0 (empty: none can). */
  readonly sjis: Uint16Array;
  /** Whether the automatic segmentation may use kanji mode (see above). */
  readonly kanjiEligible: boolean;
  /** Union and intersection of `modes` over all units: single-mode texts skip the search. */
  readonly allModes: number;
  readonly commonModes: number;
  /** Whether every unit is kanji-capable. */
  readonly allKanji: boolean;
}

/** Shared empty table for texts without kanji-capable characters (most of them). */
const NO_KANJI = new Uint16Array(0);

export function profileText(text: string, eci: boolean): TextProfile {
  const n = text.length;
  const modes = new Uint8Array(n);
  const byteLength = new Uint8Array(n);
  let sjis = NO_KANJI;
  let kanjiCount = 0;
  let otherCharsSafe = true;
  let allModes = 0;
  let commonModes = DIGIT;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let unitModes = BYTE_ONLY;
    if (c < 0x80) {
      byteLength[i] = 1;
      const alnum = ALPHANUMERIC_VALUE[c]!;
      if (alnum >= 0) unitModes = alnum < 10 ? DIGIT : ALPHANUMERIC_ONLY;
      else if (c === 0x5c || c === 0x7e) otherCharsSafe = false;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      otherCharsSafe = false;
      if (c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        byteLength[i] = 4;
        modes[i++] = BYTE_ONLY;
      } else {
        byteLength[i] = 3;
      }
    } else {
      byteLength[i] = c < 0x800 ? 2 : 3;
      const code = kanjiCode(c);
      if (code === 0) {
        otherCharsSafe = false;
      } else {
        if (sjis === NO_KANJI) sjis = new Uint16Array(n);
        sjis[i] = code;
        kanjiCount++;
      }
    }
    modes[i] = unitModes;
    allModes |= unitModes;
    commonModes &= unitModes;
  }
  return {
    text,
    modes,
    byteLength,
    sjis,
    kanjiEligible: kanjiCount > 0 && otherCharsSafe && !eci,
    allModes,
    commonModes,
    allKanji: kanjiCount === n,
  };
}

/** Segments as [mode, start, end) over code units of the text, plus their exact bit length. */
export interface SegmentPlan {
  readonly modes: Uint8Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  /** Character-count value of each segment (bytes for byte mode). */
  readonly units: Uint32Array;
  readonly count: number;
  readonly bits: number;
}

/** Bits of a segment's data: `units` characters (bytes in byte mode) of a mode. */
export function dataBits(mode: number, units: number): number {
  switch (mode) {
    case NUMERIC:
      return Math.floor(units / 3) * 10 + [0, 4, 7][units % 3]!;
    case ALPHANUMERIC:
      return (units >> 1) * 11 + (units & 1) * 6;
    case BYTE:
      return units * 8;
    default:
      return units * 13;
  }
}

/** How many character-count units a slice holds in a mode (bytes for byte mode). */
function unitCount(profile: TextProfile, mode: number, start: number, end: number): number {
  if (mode !== BYTE) return end - start;
  let bytes = 0;
  for (let i = start; i < end; i++) bytes += profile.byteLength[i]!;
  return bytes;
}

/**
 * Turns runs of one mode into segments for a version range. A run never needs splitting
 * for its character-count indicator: a run too long for the indicator of a range holds
 * more bits than the largest version of that range (checked in segments.test.ts), so such
 * a plan is simply too long for the range.
 */
export function planFromRuns(
  profile: TextProfile,
  runModes: readonly number[],
  runStarts: readonly number[],
  range: number,
  eci: boolean,
): SegmentPlan {
  const count = runModes.length;
  const modes = Uint8Array.from(runModes);
  const starts = Uint32Array.from(runStarts);
  const ends = new Uint32Array(count);
  const units = new Uint32Array(count);
  let bits = eci ? ECI_UTF8_BITS : 0;
  for (let r = 0; r < count; r++) {
    const mode = modes[r]!;
    ends[r] = r + 1 < count ? starts[r + 1]! : profile.text.length;
    units[r] = unitCount(profile, mode, starts[r]!, ends[r]!);
    bits += 4 + countBits(mode, range) + dataBits(mode, units[r]!);
  }
  return { modes, starts, ends, units, count, bits };
}

/** A caller-chosen segmentation (already checked with sliceFitsMode). */
export function forcedSegments(
  profile: TextProfile,
  segments: readonly QrSegment[],
  range: number,
  eci: boolean,
): SegmentPlan {
  const runModes: number[] = [];
  const runStarts: number[] = [];
  let start = 0;
  for (const segment of segments) {
    runModes.push(MODE_NAMES.indexOf(segment.mode));
    runStarts.push(start);
    start += segment.text.length;
  }
  return planFromRuns(profile, runModes, runStarts, range, eci);
}

/** Whether a mode can carry text[start, end), a slice that does not split a surrogate pair. */
export function sliceFitsMode(
  profile: TextProfile,
  mode: number,
  start: number,
  end: number,
): boolean {
  if (end < profile.text.length && profile.byteLength[end] === 0) return false;
  for (let i = start; i < end; i++) {
    if (
      mode === KANJI
        ? profile.sjis[i] === 0 || profile.sjis.length === 0
        : (profile.modes[i]! & (1 << mode)) === 0
    ) {
      return false;
    }
  }
  return true;
}
