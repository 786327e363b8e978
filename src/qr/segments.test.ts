import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from './index.js';
import { kanjiCode } from './kanji.js';
import { optimalSegments } from './segmentation.js';
import { countBits, dataBits, profileText, type QrMode } from './segments.js';
import { DATA_BITS } from './tables.js';

const COUNT_BITS: Record<QrMode, number[]> = {
  numeric: [10, 12, 14],
  alphanumeric: [9, 11, 13],
  byte: [8, 16, 16],
  kanji: [8, 10, 12],
};
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function modesOf(character: string, kanji: boolean): QrMode[] {
  if (kanji && kanjiCode(character.charCodeAt(0)) !== 0) return ['kanji'];
  const modes: QrMode[] = ['byte'];
  if (ALPHANUMERIC.includes(character)) modes.push('alphanumeric');
  if (/[0-9]/.test(character)) modes.push('numeric');
  return modes;
}

function segmentBits(mode: QrMode, characters: string[], range: number): number {
  const n = characters.length;
  const data =
    mode === 'numeric'
      ? Math.floor(n / 3) * 10 + [0, 4, 7][n % 3]!
      : mode === 'alphanumeric'
        ? Math.floor(n / 2) * 11 + (n % 2) * 6
        : mode === 'byte'
          ? Buffer.byteLength(characters.join(''), 'utf8') * 8
          : n * 13;
  return 4 + COUNT_BITS[mode][range]! + data;
}

/** The fewest bits over every assignment of modes to characters, by exhaustive search. */
function bruteForceBits(text: string, range: number, kanji: boolean): number {
  const characters = [...text];
  let best = Infinity;
  const assign = (i: number, modes: QrMode[]): void => {
    if (i === characters.length) {
      let bits = 0;
      for (let start = 0; start < modes.length;) {
        let end = start;
        while (end < modes.length && modes[end] === modes[start]) end++;
        bits += segmentBits(modes[start]!, characters.slice(start, end), range);
        start = end;
      }
      best = Math.min(best, bits);
      return;
    }
    for (const mode of modesOf(characters[i]!, kanji)) assign(i + 1, [...modes, mode]);
  };
  assign(0, []);
  return best;
}

const POOL = [...'0123456789', ...'ABCXYZ $:/', ...'abcxyz?&=', ...'日本語あア漢'];

describe('optimal segmentation', () => {
  it('finds the fewest bits any segmentation can reach (exhaustive check on short texts)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 8 }),
        fc.nat(2),
        (chars, range) => {
          const text = chars.join('');
          const profile = profileText(text, false);
          const plain = bruteForceBits(text, range, false);
          const expected = profile.kanjiEligible
            ? Math.min(plain, bruteForceBits(text, range, true))
            : plain;
          expect(optimalSegments(profile, range, false).bits).toBe(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('mixes modes where that saves bits', () => {
    expect(encode('HTTPS://EXAMPLE.COM/ABC123?utm=lowercase-tail').segments).toEqual([
      { mode: 'alphanumeric', text: 'HTTPS://EXAMPLE.COM/ABC123' },
      { mode: 'byte', text: '?utm=lowercase-tail' },
    ]);
    expect(encode('Order 123456789012345678 confirmed').segments.map((s) => s.mode)).toEqual([
      'byte',
      'numeric',
      'byte',
    ]);
    expect(encode('0123456789').segments).toEqual([{ mode: 'numeric', text: '0123456789' }]);
  });

  it('plans for the version range it ends in (character-count widths differ)', () => {
    // 'A' + digits: at small versions a separate numeric segment pays, and the plan must
    // be the optimal one for the range of the version finally chosen.
    for (const text of ['A' + '1'.repeat(40), 'a1'.repeat(300) + '7'.repeat(30)]) {
      const symbol = encode(text, { ecc: 'L', boostEcc: false });
      const range = symbol.version <= 9 ? 0 : symbol.version <= 26 ? 1 : 2;
      const bits = optimalSegments(profileText(text, false), range, false).bits;
      expect(bits).toBe(bruteForceBitsForLongText(symbol.segments, range));
    }
  });

  it('counts UTF-8 bytes for byte mode, surrogate pairs as one 4-byte character', () => {
    const symbol = encode('😀é', { boostEcc: false, ecc: 'L' });
    expect(symbol.segments).toEqual([{ mode: 'byte', text: '😀é' }]);
    // 4 + 8 + 6 bytes * 8 = 60 bits: fits version 1-L (152 bits).
    expect(symbol.version).toBe(1);
  });

  it('never meets a run too long for its character-count indicator in a version that fits', () => {
    // Why planning needs no splitting: the first count an indicator cannot hold needs
    // more data bits than the largest version of its range has at level L.
    const lastVersion = [9, 26, 40];
    for (let mode = 0; mode < 4; mode++) {
      for (let range = 0; range < 3; range++) {
        const overflow = 2 ** countBits(mode, range);
        expect(dataBits(mode, overflow)).toBeGreaterThan(DATA_BITS[lastVersion[range]! * 4]!);
      }
    }
  });
});

/** Bits of a given segmentation (for texts too long for the exhaustive search). */
function bruteForceBitsForLongText(
  segments: readonly { mode: QrMode; text: string }[],
  range: number,
): number {
  return segments.reduce((sum, s) => sum + segmentBits(s.mode, [...s.text], range), 0);
}

describe('kanji mode', () => {
  const modes = (text: string, eci = false): QrMode[] =>
    encode(text, { eci }).segments.map((s) => s.mode);

  it('carries Japanese text, alone or with ASCII', () => {
    expect(modes('日本語のテキスト')).toEqual(['kanji']);
    expect(modes('abc 日本語 123')).toEqual(['byte', 'kanji', 'alphanumeric']);
  });

  it('is not used where a decoder could then misread the byte segments', () => {
    // Other non-ASCII characters: UTF-8 byte segments next to Shift_JIS kanji are ambiguous.
    expect(modes('héllo 日本語')).toEqual(['byte']);
    expect(modes('日本 😀')).toEqual(['byte']);
    // \ and ~ read as ¥ and ‾ in Shift_JIS.
    expect(modes('C:\\日本')).toEqual(['byte']);
    expect(modes('~日本')).toEqual(['byte']);
    // After a UTF-8 ECI header everything is UTF-8.
    expect(modes('日本語', true)).toEqual(['byte']);
  });

  it('leaves out the Shift_JIS codes that CP932 and JIS X 0208 map differently', () => {
    for (const character of '＼～∥－￠￡￢') expect(kanjiCode(character.charCodeAt(0))).toBe(0);
    expect(kanjiCode('日'.charCodeAt(0))).toBe(0x93fa);
    expect(kanjiCode('A'.charCodeAt(0))).toBe(0);
  });
});
