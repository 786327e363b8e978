import { BitWriter } from './bits.js';
import { QrError, formatCount } from './errors.js';
import { versionLayout, type VersionLayout } from './layout.js';
import {
  balanceRuleScore,
  blockRuleScore,
  lineRulesScore,
  transposeLines,
  unpackLines,
} from './penalty.js';
import { writeEccCodewords } from './reed-solomon.js';
import {
  BYTE,
  ECI_UTF8_BITS,
  MODE_NAMES,
  NUMERIC,
  ALPHANUMERIC,
  RANGE_FIRST_VERSION,
  RANGE_LAST_VERSION,
  countBits,
  forcedSegments,
  optimalSegments,
  profileText,
  sliceFitsMode,
  versionRange,
  writeSegments,
  type QrSegment,
  type SegmentPlan,
  type TextProfile,
} from './segments.js';
import {
  DATA_BITS,
  ECC_LEVELS,
  ECC_ORDINAL,
  FORMAT_BITS,
  MAX_VERSION,
  MIN_VERSION,
  blockLayout,
  type EccLevel,
} from './tables.js';

export interface EncodeOptions {
  /** Minimum error-correction level (default M); raised for free unless `boostEcc` is false. */
  ecc?: EccLevel;
  /** Use the highest level whose data still fits the chosen version (default true). */
  boostEcc?: boolean;
  /** Smallest version to consider (default 1). */
  minVersion?: number;
  /** Largest version to consider (default 40). */
  maxVersion?: number;
  /** Exactly this version (same as minVersion = maxVersion). */
  version?: number;
  /** Data mask 0-7 instead of the one with the lowest penalty. */
  mask?: number;
  /** Start with an ECI header declaring UTF-8 (ECI 000026); default false. */
  eci?: boolean;
  /** Exactly these segments, in order; their texts must join to the encoded text. */
  segments?: readonly QrSegment[];
}

export interface QrSymbol {
  readonly version: number;
  readonly ecc: EccLevel;
  readonly mask: number;
  /** Modules per side (version * 4 + 17), without quiet zone. */
  readonly size: number;
  /** size*size modules, row-major, 1 = dark. */
  readonly modules: Uint8Array;
  readonly segments: readonly QrSegment[];
  /** Whether the data starts with an ECI header declaring UTF-8. */
  readonly eci: boolean;
}

interface ResolvedOptions {
  ecc: number;
  boostEcc: boolean;
  minVersion: number;
  maxVersion: number;
  mask: number;
  eci: boolean;
  segments: readonly QrSegment[] | undefined;
}

function invalid(message: string): QrError {
  return new QrError('invalid_option', message);
}

function versionOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_VERSION ||
    value > MAX_VERSION
  ) {
    throw invalid(`${name} must be an integer from 1 to 40 (got ${String(value)})`);
  }
  return value;
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw invalid(`${name} must be true or false (got ${String(value)})`);
  return value;
}

function resolveOptions(options: EncodeOptions | undefined): ResolvedOptions {
  if (options === undefined) {
    return {
      ecc: 1,
      boostEcc: true,
      minVersion: 1,
      maxVersion: 40,
      mask: -1,
      eci: false,
      segments: undefined,
    };
  }
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
  const ecc = options.ecc ?? 'M';
  if (!ECC_LEVELS.includes(ecc)) {
    throw invalid(`ecc must be one of L, M, Q, H (got ${JSON.stringify(ecc)})`);
  }
  const version = versionOption('version', options.version);
  let minVersion = versionOption('minVersion', options.minVersion) ?? version ?? MIN_VERSION;
  let maxVersion = versionOption('maxVersion', options.maxVersion) ?? version ?? MAX_VERSION;
  if (version !== undefined) {
    if (version < minVersion || version > maxVersion) {
      throw invalid(
        `version ${version} is outside minVersion ${minVersion} to maxVersion ${maxVersion}`,
      );
    }
    minVersion = version;
    maxVersion = version;
  }
  if (minVersion > maxVersion) {
    throw invalid(`minVersion (${minVersion}) must not exceed maxVersion (${maxVersion})`);
  }
  const mask = options.mask;
  if (
    mask !== undefined &&
    (typeof mask !== 'number' || !Number.isInteger(mask) || mask < 0 || mask > 7)
  ) {
    throw invalid(`mask must be an integer from 0 to 7 (got ${String(mask)})`);
  }
  const segments = options.segments;
  if (segments !== undefined && !Array.isArray(segments))
    throw invalid('segments must be an array');
  return {
    ecc: ECC_ORDINAL[ecc],
    boostEcc: booleanOption('boostEcc', options.boostEcc, true),
    minVersion,
    maxVersion,
    mask: mask ?? -1,
    eci: booleanOption('eci', options.eci, false),
    segments,
  };
}

function checkForcedSegments(
  text: string,
  profile: TextProfile,
  segments: readonly QrSegment[],
): void {
  let start = 0;
  segments.forEach((segment, index) => {
    const mode = MODE_NAMES.indexOf(segment?.mode);
    if (mode < 0 || typeof segment.text !== 'string' || segment.text.length === 0) {
      throw invalid(
        `segments[${index}] must have a mode (${MODE_NAMES.join(', ')}) and a non-empty text`,
      );
    }
    const end = start + segment.text.length;
    if (text.slice(start, end) !== segment.text) {
      throw invalid('segments must join to exactly the encoded text');
    }
    if (!sliceFitsMode(profile, mode, start, end)) {
      throw invalid(
        `segments[${index}] contains characters that ${segment.mode} mode cannot encode`,
      );
    }
    start = end;
  });
  if (start !== text.length) throw invalid('segments must join to exactly the encoded text');
}

interface Fit {
  version: number;
  plan: SegmentPlan;
}

/** The smallest version in [min, max] whose capacity at `ecc` holds the data. */
function chooseVersion(profile: TextProfile, opts: ResolvedOptions): Fit | { plan: SegmentPlan } {
  let lastPlan: SegmentPlan | undefined;
  for (let range = versionRange(opts.minVersion); range <= versionRange(opts.maxVersion); range++) {
    const plan = opts.segments
      ? forcedSegments(profile, opts.segments, range, opts.eci)
      : optimalSegments(profile, range, opts.eci);
    lastPlan = plan;
    const first = Math.max(opts.minVersion, RANGE_FIRST_VERSION[range]!);
    const last = Math.min(opts.maxVersion, RANGE_LAST_VERSION[range]!);
    for (let v = first; v <= last; v++) {
      if (DATA_BITS[v * 4 + opts.ecc]! >= plan.bits) return { version: v, plan };
    }
  }
  return { plan: lastPlan! };
}

const UNIT_NAMES = ['digit', 'character', 'byte', 'character'];

/** How many units of one mode fit in `bits` data bits after one segment header. */
function singleModeCapacity(mode: number, bits: number, range: number): number {
  const available = bits - 4 - countBits(mode, range);
  if (available < 0) return 0;
  let units: number;
  if (mode === NUMERIC) {
    const rest = available % 10;
    units = Math.floor(available / 10) * 3 + (rest >= 7 ? 2 : rest >= 4 ? 1 : 0);
  } else if (mode === ALPHANUMERIC) {
    units = Math.floor(available / 11) * 2 + (available % 11 >= 6 ? 1 : 0);
  } else {
    units = Math.floor(available / (mode === BYTE ? 8 : 13));
  }
  return Math.min(units, (1 << countBits(mode, range)) - 1);
}

function tooLong(plan: SegmentPlan, opts: ResolvedOptions): QrError {
  const version = opts.maxVersion;
  const range = versionRange(version);
  const level = ECC_LEVELS[opts.ecc]!;
  const capacityBits = DATA_BITS[version * 4 + opts.ecc]!;
  const mode = plan.modes[0]!;
  let sameMode = true;
  let units = 0;
  for (let s = 0; s < plan.count; s++) {
    sameMode &&= plan.modes[s] === mode;
    units += plan.units[s]!;
  }
  if (sameMode) {
    const unit = UNIT_NAMES[mode]!;
    const capacity = singleModeCapacity(mode, capacityBits - (opts.eci ? ECI_UTF8_BITS : 0), range);
    return new QrError(
      'data_too_long',
      `Data too long: ${formatCount(units)} ${unit}s in ${MODE_NAMES[mode]} mode exceed the ` +
        `${formatCount(capacity)}-${unit} capacity of version ${version} at ECC ${level}`,
    );
  }
  const modes = [...new Set(Array.from(plan.modes.subarray(0, plan.count), (m) => MODE_NAMES[m]))];
  return new QrError(
    'data_too_long',
    `Data too long: the text needs ${formatCount(plan.bits)} bits as ${modes.join(' + ')} ` +
      `segments, more than the ${formatCount(capacityBits)}-bit capacity of version ${version} ` +
      `at ECC ${level}`,
  );
}

/** Bytes the largest symbol needs: version 40 has 3,706 codewords. */
const MAX_CODEWORDS = 3706;
/** Packed lines of the largest symbol: 177 lines of 6 words. */
const MAX_LINE_WORDS = 177 * 6;

// Working buffers reused by every call (encode is synchronous, so calls never overlap):
// allocating large typed arrays costs more than the work done in them for small symbols.
const dataBuffer = new Uint8Array(MAX_CODEWORDS);
const eccBuffer = new Uint8Array(MAX_CODEWORDS);
const codewordBuffer = new Uint8Array(MAX_CODEWORDS);
const blockStarts = new Uint32Array(82);
const unmaskedRows = new Uint32Array(MAX_LINE_WORDS);
const unmaskedColumns = new Uint32Array(MAX_LINE_WORDS);
const candidateRows = new Uint32Array(MAX_LINE_WORDS);
const candidateColumns = new Uint32Array(MAX_LINE_WORDS);

/** Data codewords: segments, terminator, zero bits to a byte boundary, then pad bytes (7.4.10). */
function writeDataCodewords(
  profile: TextProfile,
  plan: SegmentPlan,
  version: number,
  eci: boolean,
  capacity: number,
): Uint8Array {
  const bytes = dataBuffer;
  const writer = new BitWriter(bytes);
  writeSegments(writer, profile, plan, versionRange(version), eci);
  writer.write(0, Math.min(4, capacity * 8 - writer.length));
  for (let i = writer.flush(), pad = 0xec; i < capacity; i++, pad ^= 0xec ^ 0x11) bytes[i] = pad;
  return bytes;
}

/** Splits data into blocks, adds each block's error correction, and interleaves (7.6). */
function interleaveCodewords(data: Uint8Array, version: number, ecc: number): Uint8Array {
  const layout = blockLayout(version, ecc);
  const { blockCount, eccPerBlock, shortBlockCount, shortDataLength } = layout;
  const out = codewordBuffer;
  const starts = blockStarts;
  for (let b = 0; b < blockCount; b++) {
    starts[b + 1] = starts[b]! + shortDataLength + (b < shortBlockCount ? 0 : 1);
    writeEccCodewords(data, starts[b]!, starts[b + 1]!, eccPerBlock, eccBuffer, b * eccPerBlock);
  }
  let k = 0;
  for (let i = 0; i < shortDataLength; i++) {
    for (let b = 0; b < blockCount; b++) out[k++] = data[starts[b]! + i]!;
  }
  for (let b = shortBlockCount; b < blockCount; b++) out[k++] = data[starts[b]! + shortDataLength]!;
  for (let i = 0; i < eccPerBlock; i++) {
    for (let b = 0; b < blockCount; b++) out[k++] = eccBuffer[b * eccPerBlock + i]!;
  }
  return out;
}

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
    let score = balanceRuleScore(maskedRows, size) + blockRuleScore(maskedRows, size);
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

/** Encodes text as a QR Code Model 2 symbol, choosing the smallest version that holds it. */
export function encode(text: string, options?: EncodeOptions): QrSymbol {
  if (typeof text !== 'string') throw invalid('text must be a string');
  if (text.length === 0) throw new QrError('empty_input', 'Nothing to encode: the text is empty');
  const opts = resolveOptions(options);
  const profile = profileText(text, opts.eci);
  if (opts.segments) checkForcedSegments(text, profile, opts.segments);

  const fit = chooseVersion(profile, opts);
  if (!('version' in fit)) throw tooLong(fit.plan, opts);
  const { version, plan } = fit;
  let ecc = opts.ecc;
  if (opts.boostEcc) {
    while (ecc < 3 && DATA_BITS[version * 4 + ecc + 1]! >= plan.bits) ecc++;
  }

  const layout = versionLayout(version);
  const { size } = layout;
  const blocks = blockLayout(version, ecc);
  const data = writeDataCodewords(profile, plan, version, opts.eci, blocks.dataCodewords);
  const codewords = interleaveCodewords(data, version, ecc);
  const rows = placeCodewords(layout, codewords, blocks.totalCodewords);
  const mask = opts.mask >= 0 ? opts.mask : bestMask(layout, rows, ecc);
  const maskRows = layout.maskRows[mask]!;
  for (let w = 0, length = size * layout.words; w < length; w++) rows[w] = rows[w]! ^ maskRows[w]!;
  drawFormat(rows, layout.formatRowPositions, FORMAT_BITS[ecc * 8 + mask]!);
  const modules = new Uint8Array(size * size);
  unpackLines(rows, size, modules);

  const segments: QrSegment[] = [];
  for (let s = 0; s < plan.count; s++) {
    segments.push({
      mode: MODE_NAMES[plan.modes[s]!]!,
      text: text.slice(plan.starts[s], plan.ends[s]),
    });
  }
  return Object.freeze({
    version,
    ecc: ECC_LEVELS[ecc]!,
    mask,
    size,
    modules,
    segments: Object.freeze(segments),
    eci: opts.eci,
  });
}
