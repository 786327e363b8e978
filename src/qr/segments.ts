import type { BitWriter } from './bits.js';
import { kanjiCode, kanjiValue } from './kanji.js';

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
const MODE_INDICATORS = [0b0001, 0b0010, 0b0100, 0b1000];

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
const ALPHANUMERIC_VALUE = new Int8Array(128).fill(-1);
{
  const charset = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  for (let i = 0; i < charset.length; i++) ALPHANUMERIC_VALUE[charset.charCodeAt(i)] = i;
}

/** Bits of the ECI header for ECI 000026 (UTF-8): mode indicator 0111 + one designator byte. */
export const ECI_UTF8_BITS = 12;

// Mode bits of a unit: bit (1 << mode) for each mode that can carry it.
const BYTE_ONLY = 1 << BYTE;
const DIGIT = (1 << NUMERIC) | (1 << ALPHANUMERIC) | BYTE_ONLY;
const ALPHANUMERIC_ONLY = (1 << ALPHANUMERIC) | BYTE_ONLY;
const KANJI_ONLY = 1 << KANJI;

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
function planFromRuns(
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

// Costs are in sixths of a bit, so that numeric (10/3 bits per digit) and alphanumeric
// (11/2 bits per character) stay integral; a segment's real length is its cost rounded up
// to whole bits. Per unit: numeric 20, alphanumeric 33, byte 48 per UTF-8 byte, kanji 78.
const IMPOSSIBLE = 1 << 29;

function roundUp(sixths: number): number {
  return (((sixths + 5) / 6) | 0) * 6;
}

/** Back-pointers of the search, reused across calls (grown on demand). */
let fromBuffer = new Uint8Array(1024);

/**
 * The segmentation with the fewest bits for a version range: dynamic programming over
 * code units, keeping for each mode the cheapest encoding of the prefix that ends in it.
 * With `kanji`, kanji-capable units must use kanji mode (see TextProfile).
 */
function searchSegments(
  profile: TextProfile,
  range: number,
  eci: boolean,
  kanji: boolean,
): SegmentPlan {
  const n = profile.text.length;
  const modes = profile.modes;
  const byteLength = profile.byteLength;
  const sjis = profile.sjis;
  const h0 = (4 + countBits(NUMERIC, range)) * 6;
  const h1 = (4 + countBits(ALPHANUMERIC, range)) * 6;
  const h2 = (4 + countBits(BYTE, range)) * 6;
  const h3 = (4 + countBits(KANJI, range)) * 6;
  if (fromBuffer.length < n * 4) fromBuffer = new Uint8Array(n * 8);
  const from = fromBuffer;
  // Cheapest cost of the prefix ending in each mode; IMPOSSIBLE when the unit forbids it.
  let c0 = h0;
  let c1 = h1;
  let c2 = h2;
  let c3 = h3;
  for (let i = 0, f = 0; i < n; i++, f += 4) {
    const allowed = kanji && sjis[i] !== 0 ? KANJI_ONLY : modes[i]!;
    if (allowed === BYTE_ONLY && c0 === IMPOSSIBLE && c1 === IMPOSSIBLE && c3 === IMPOSSIBLE) {
      // Inside a run of byte-only units the byte segment simply continues; only its entry
      // of `from` is ever read back for these units.
      from[f + 2] = BYTE;
      c2 += 48 * byteLength[i]!;
      continue;
    }
    // Ending the current segment rounds its cost up to whole bits; the cheapest such end
    // is the best predecessor for any mode that starts a new segment here.
    let ended = roundUp(c0);
    let endedMode = NUMERIC;
    const e1 = roundUp(c1);
    if (e1 < ended) {
      ended = e1;
      endedMode = ALPHANUMERIC;
    }
    const e2 = roundUp(c2);
    if (e2 < ended) {
      ended = e2;
      endedMode = BYTE;
    }
    const e3 = roundUp(c3);
    if (e3 < ended) {
      ended = e3;
      endedMode = KANJI;
    }
    if (allowed & (1 << NUMERIC)) {
      if (ended + h0 < c0) {
        c0 = ended + h0;
        from[f] = endedMode;
      } else {
        from[f] = NUMERIC;
      }
      c0 += 20;
    } else {
      c0 = IMPOSSIBLE;
    }
    if (allowed & (1 << ALPHANUMERIC)) {
      if (ended + h1 < c1) {
        c1 = ended + h1;
        from[f + 1] = endedMode;
      } else {
        from[f + 1] = ALPHANUMERIC;
      }
      c1 += 33;
    } else {
      c1 = IMPOSSIBLE;
    }
    if (allowed & BYTE_ONLY) {
      if (ended + h2 < c2) {
        c2 = ended + h2;
        from[f + 2] = endedMode;
      } else {
        from[f + 2] = BYTE;
      }
      c2 += 48 * byteLength[i]!;
    } else {
      c2 = IMPOSSIBLE;
    }
    if (allowed & KANJI_ONLY) {
      if (ended + h3 < c3) {
        c3 = ended + h3;
        from[f + 3] = endedMode;
      } else {
        from[f + 3] = KANJI;
      }
      c3 += 78;
    } else {
      c3 = IMPOSSIBLE;
    }
  }
  const cost = [c0, c1, c2, c3];
  let mode = 0;
  for (let m = 1; m < 4; m++) if (roundUp(cost[m]!) < roundUp(cost[mode]!)) mode = m;
  const runModes: number[] = [];
  const runStarts: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const prev = from[i * 4 + mode]!;
    if (prev !== mode || i === 0) {
      runModes.push(mode);
      runStarts.push(i);
      mode = prev;
    }
  }
  runModes.reverse();
  runStarts.reverse();
  return planFromRuns(profile, runModes, runStarts, range, eci);
}

/**
 * The one mode that is optimal for the whole text without searching, or -1: when every
 * unit can use a mode that is the cheapest for each of them (numeric beats alphanumeric
 * beats byte per character).
 */
function singleMode(allModes: number, commonModes: number): number {
  if (commonModes & (1 << NUMERIC)) return NUMERIC;
  if (commonModes & (1 << ALPHANUMERIC) && (allModes & (1 << NUMERIC)) === 0) return ALPHANUMERIC;
  if (allModes === BYTE_ONLY) return BYTE;
  return -1;
}

/** The segmentation with the fewest bits for a version range (character-count widths). */
export function optimalSegments(profile: TextProfile, range: number, eci: boolean): SegmentPlan {
  if (profile.kanjiEligible && profile.allKanji) {
    return planFromRuns(profile, [KANJI], [0], range, eci);
  }
  const single = singleMode(profile.allModes, profile.commonModes);
  const plain =
    single >= 0
      ? planFromRuns(profile, [single], [0], range, eci)
      : searchSegments(profile, range, eci, false);
  if (!profile.kanjiEligible) return plain;
  // On a tie, UTF-8 wins: every decoder reads it without guessing.
  const withKanji = searchSegments(profile, range, eci, true);
  return withKanji.bits < plain.bits ? withKanji : plain;
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

/** Appends mode indicator, character count and data of every planned segment. */
export function writeSegments(
  writer: BitWriter,
  profile: TextProfile,
  plan: SegmentPlan,
  range: number,
  eci: boolean,
): void {
  const text = profile.text;
  if (eci) writer.write(0b0111_00011010, ECI_UTF8_BITS);
  for (let s = 0; s < plan.count; s++) {
    const mode = plan.modes[s]!;
    const start = plan.starts[s]!;
    const end = plan.ends[s]!;
    writer.write(MODE_INDICATORS[mode]!, 4);
    writer.write(plan.units[s]!, countBits(mode, range));
    if (mode === NUMERIC) {
      let i = start;
      for (; i + 3 <= end; i += 3) {
        const value =
          (text.charCodeAt(i) - 48) * 100 +
          (text.charCodeAt(i + 1) - 48) * 10 +
          (text.charCodeAt(i + 2) - 48);
        writer.write(value, 10);
      }
      if (end - i === 2) {
        writer.write((text.charCodeAt(i) - 48) * 10 + (text.charCodeAt(i + 1) - 48), 7);
      } else if (end - i === 1) {
        writer.write(text.charCodeAt(i) - 48, 4);
      }
    } else if (mode === ALPHANUMERIC) {
      let i = start;
      for (; i + 2 <= end; i += 2) {
        const pair =
          ALPHANUMERIC_VALUE[text.charCodeAt(i)]! * 45 +
          ALPHANUMERIC_VALUE[text.charCodeAt(i + 1)]!;
        writer.write(pair, 11);
      }
      if (i < end) writer.write(ALPHANUMERIC_VALUE[text.charCodeAt(i)]!, 6);
    } else if (mode === BYTE) {
      for (let i = start; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x80) {
          writer.write(c, 8);
        } else if (c < 0x800) {
          writer.write(0xc080 | ((c << 2) & 0x1f00) | (c & 0x3f), 16);
        } else if (profile.byteLength[i] === 4) {
          const point = ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00) + 0x10000;
          writer.write(0xf0 | (point >> 18), 8);
          writer.write(
            0x808080 | ((point << 4) & 0x3f0000) | ((point << 2) & 0x3f00) | (point & 0x3f),
            24,
          );
        } else {
          // A lone surrogate is written as U+FFFD, like TextEncoder does.
          const point = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
          writer.write(
            0xe08080 | ((point << 4) & 0x0f0000) | ((point << 2) & 0x3f00) | (point & 0x3f),
            24,
          );
        }
      }
    } else {
      for (let i = start; i < end; i++) writer.write(kanjiValue(profile.sjis[i]!), 13);
    }
  }
}
