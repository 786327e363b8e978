import {
  ALPHANUMERIC,
  BYTE,
  BYTE_ONLY,
  KANJI,
  KANJI_ONLY,
  NUMERIC,
  countBits,
  planFromRuns,
  type SegmentPlan,
  type TextProfile,
} from './segments.js';

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
