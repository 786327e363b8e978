import QRCode, { type QRCodeMaskPattern, type QRCodeSegment } from 'qrcode';
import { describe, expect, it } from 'vitest';
import { QrError, encode, type QrSegment } from '../../src/qr/index.js';
import { kanjiCode } from '../../src/qr/kanji.js';
import { ECC_LEVELS } from '../../src/qr/tables.js';
import { seededRandom } from '../helpers/random.js';

/**
 * Bit-exact agreement with node-qrcode: the same segments, version, ECC level and mask
 * must give the same module matrix, for every version and level. That checks everything
 * after segmentation (bit stream, padding, Reed-Solomon, interleaving, placement, masks,
 * format and version information) against an independent implementation.
 */

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const BYTE_CHARACTERS = [...'azAZ09 !"#&\'()<>?@[\\]^_`{|}~\n', 'é', 'ß', 'Ж', '中', '😀', '€'];
const KANJI_CHARACTERS = [...'日本語漢字あいうえおアイウエオ東京ー、。「」ＡＢＣ１２３'];

/** node-qrcode asks for the Shift_JIS code of each kanji-mode character. */
const toSjis = (character: string): number => kanjiCode(character.charCodeAt(0));

function randomSegment(random: () => number): QrSegment {
  const length = 1 + Math.floor(random() ** 2 * 60);
  const mode = (['numeric', 'alphanumeric', 'byte', 'kanji'] as const)[Math.floor(random() * 4)]!;
  const pool =
    mode === 'numeric'
      ? [...'0123456789']
      : mode === 'alphanumeric'
        ? [...ALPHANUMERIC]
        : mode === 'byte'
          ? BYTE_CHARACTERS
          : KANJI_CHARACTERS;
  let text = '';
  for (let i = 0; i < length; i++) text += pool[Math.floor(random() * pool.length)];
  return { mode, text };
}

function toNodeQrcode(segment: QrSegment): QRCodeSegment {
  return segment.mode === 'byte'
    ? { mode: 'byte', data: Buffer.from(segment.text, 'utf8') }
    : { mode: segment.mode, data: segment.text };
}

interface CrossCase {
  segments: QrSegment[];
  version: number;
  ecc: (typeof ECC_LEVELS)[number];
  mask: number;
}

/** 320 cases: every version at every level twice, each filled with random segments. */
function crossCases(): CrossCase[] {
  const random = seededRandom(2015);
  const cases: CrossCase[] = [];
  for (let i = 0; i < 320; i++) {
    const version = (i % 40) + 1;
    const ecc = ECC_LEVELS[Math.floor(i / 40) % 4]!;
    const mask = i % 8;
    const segments: QrSegment[] = [];
    // Add segments while they fit, up to a random number of them (large versions get more).
    const wanted = 1 + Math.floor(random() * (2 + version / 2));
    for (let attempts = 0; segments.length < wanted && attempts < wanted * 3; attempts++) {
      const candidate = [...segments, randomSegment(random)];
      const text = candidate.map((s) => s.text).join('');
      try {
        encode(text, { version, ecc, boostEcc: false, segments: candidate });
        segments.push(candidate[candidate.length - 1]!);
      } catch (err) {
        if (!(err instanceof QrError && err.code === 'data_too_long')) throw err;
      }
    }
    if (segments.length === 0) segments.push({ mode: 'numeric', text: '1' });
    cases.push({ segments, version, ecc, mask });
  }
  return cases;
}

describe('bit-exact cross-check with node-qrcode', () => {
  const cases = crossCases();

  it('covers every version, level and mask with mixed segments', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(new Set(cases.map((c) => `${c.version}${c.ecc}`)).size).toBe(160);
    expect(new Set(cases.map((c) => c.mask)).size).toBe(8);
    for (const mode of ['numeric', 'alphanumeric', 'byte', 'kanji']) {
      expect(cases.filter((c) => c.segments.some((s) => s.mode === mode)).length).toBeGreaterThan(
        100,
      );
    }
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i gives the same modules', (_, c) => {
    const text = c.segments.map((s) => s.text).join('');
    const ours = encode(text, {
      version: c.version,
      ecc: c.ecc,
      boostEcc: false,
      mask: c.mask,
      segments: c.segments,
    });
    const theirs = QRCode.create(c.segments.map(toNodeQrcode), {
      version: c.version,
      errorCorrectionLevel: c.ecc,
      maskPattern: c.mask as QRCodeMaskPattern,
      toSJISFunc: toSjis,
    });
    expect(ours.size).toBe(theirs.modules.size);
    expect(Buffer.from(ours.modules).equals(Buffer.from(theirs.modules.data))).toBe(true);
  });
});
