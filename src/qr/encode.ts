import { interleaveCodewords, writeDataCodewords } from './codewords.js';
import { QrError, formatCount } from './errors.js';
import { versionLayout } from './layout.js';
import { drawSymbol } from './matrix.js';
import {
  checkForcedSegments,
  invalid,
  resolveOptions,
  type EncodeOptions,
  type ResolvedOptions,
} from './options.js';
import {
  ALPHANUMERIC,
  BYTE,
  ECI_UTF8_BITS,
  MODE_NAMES,
  NUMERIC,
  RANGE_FIRST_VERSION,
  RANGE_LAST_VERSION,
  countBits,
  forcedSegments,
  profileText,
  versionRange,
  type QrSegment,
  type SegmentPlan,
  type TextProfile,
} from './segments.js';
import { optimalSegments } from './segmentation.js';
import { DATA_BITS, ECC_LEVELS, blockLayout, type EccLevel } from './tables.js';

export type { EncodeOptions } from './options.js';

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
  return units;
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
  const blocks = blockLayout(version, ecc);
  const data = writeDataCodewords(profile, plan, version, opts.eci, blocks.dataCodewords);
  const codewords = interleaveCodewords(data, version, ecc);
  const { mask, modules } = drawSymbol(layout, codewords, blocks.totalCodewords, ecc, opts.mask);

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
    size: layout.size,
    modules,
    segments: Object.freeze(segments),
    eci: opts.eci,
  });
}
