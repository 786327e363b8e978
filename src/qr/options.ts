import { QrError } from './errors.js';
import { MODE_NAMES, sliceFitsMode, type QrSegment, type TextProfile } from './segments.js';
import { ECC_LEVELS, ECC_ORDINAL, MAX_VERSION, MIN_VERSION, type EccLevel } from './tables.js';

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

/** Options after validation, with defaults applied; ecc is an ordinal, mask -1 = best. */
export interface ResolvedOptions {
  ecc: number;
  boostEcc: boolean;
  minVersion: number;
  maxVersion: number;
  mask: number;
  eci: boolean;
  segments: readonly QrSegment[] | undefined;
}

export function invalid(message: string): QrError {
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

export function resolveOptions(options: EncodeOptions | undefined): ResolvedOptions {
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

/** Checks that forced segments are well formed, join to the text, and fit their modes. */
export function checkForcedSegments(
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
