import fc from 'fast-check';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { QrError, encode, toPng, type EncodeOptions, type EccLevel } from './index.js';

// jsqr is CommonJS whose typings declare an ES default export; under NodeNext that export
// is `.default` of the imported module object (which the runtime provides too).
const jsQR = jsQRModule.default;

function decode(symbol: ReturnType<typeof encode>): string | undefined {
  const image = PNG.sync.read(toPng(symbol, { margin: 4, size: (symbol.size + 8) * 3 }));
  const rgba = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(rgba, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data;
}

function qrError(run: () => unknown): QrError {
  try {
    run();
  } catch (err) {
    if (err instanceof QrError) return err;
    throw err;
  }
  throw new Error('expected a QrError');
}

describe('encode: errors', () => {
  it('refuses empty input', () => {
    const err = qrError(() => encode(''));
    expect(err.code).toBe('empty_input');
    expect(err.name).toBe('QrError');
    expect(err.message).toBe('Nothing to encode: the text is empty');
  });

  it.each([
    ['L', 2954, '2,954 bytes in byte mode exceed the 2,953-byte capacity of version 40 at ECC L'],
    ['M', 2332, '2,332 bytes in byte mode exceed the 2,331-byte capacity of version 40 at ECC M'],
    ['Q', 1664, '1,664 bytes in byte mode exceed the 1,663-byte capacity of version 40 at ECC Q'],
    ['H', 1274, '1,274 bytes in byte mode exceed the 1,273-byte capacity of version 40 at ECC H'],
  ] as const)('says how much is too much at ECC %s', (ecc, length, message) => {
    const err = qrError(() => encode('a'.repeat(length), { ecc }));
    expect(err.code).toBe('data_too_long');
    expect(err.message).toBe(`Data too long: ${message}`);
    expect(encode('a'.repeat(length - 1), { ecc }).version).toBe(40);
  });

  it('names the mode and the version limit', () => {
    expect(qrError(() => encode('1'.repeat(7090), { ecc: 'L' })).message).toBe(
      'Data too long: 7,090 digits in numeric mode exceed the 7,089-digit capacity of version 40 at ECC L',
    );
    expect(qrError(() => encode('HELLO WORLD', { maxVersion: 1, ecc: 'H' })).message).toBe(
      'Data too long: 11 characters in alphanumeric mode exceed the 10-character capacity of version 1 at ECC H',
    );
    expect(
      qrError(() => encode(('ab' + '1'.repeat(60)).repeat(200), { ecc: 'L' })).message,
    ).toMatch(
      /^Data too long: the text needs [\d,]+ bits as byte \+ numeric segments, more than the 23,648-bit capacity of version 40 at ECC L$/,
    );
  });

  it.each([
    [{ ecc: 'X' }, /^ecc must be one of L, M, Q, H \(got "X"\)$/],
    [{ version: 0 }, /^version must be an integer from 1 to 40/],
    [{ version: 41 }, /^version must be/],
    [{ minVersion: 1.5 }, /^minVersion must be an integer/],
    [{ maxVersion: -1 }, /^maxVersion must be/],
    [{ minVersion: 10, maxVersion: 5 }, /^minVersion \(10\) must not exceed maxVersion \(5\)$/],
    [{ version: 3, maxVersion: 2 }, /^version 3 is outside/],
    [{ mask: 8 }, /^mask must be an integer from 0 to 7 \(got 8\)$/],
    [{ mask: 0.5 }, /^mask must be/],
    [{ boostEcc: 'yes' }, /^boostEcc must be true or false/],
    [{ eci: 1 }, /^eci must be true or false/],
    [{ segments: 'abc' }, /^segments must be an array$/],
    [{ segments: [{ mode: 'hex', text: 'abc' }] }, /^segments\[0\] must have a mode/],
    [
      { segments: [{ mode: 'byte', text: 'ab' }] },
      /^segments must join to exactly the encoded text$/,
    ],
    [
      { segments: [{ mode: 'numeric', text: 'abc' }] },
      /^segments\[0\] contains characters that numeric mode cannot encode$/,
    ],
    [
      { segments: [{ mode: 'kanji', text: 'abc' }] },
      /^segments\[0\] contains characters that kanji mode/,
    ],
  ])('rejects %j naming the option', (options, message) => {
    const err = qrError(() => encode('abc', options as EncodeOptions));
    expect(err.code).toBe('invalid_option');
    expect(err.message).toMatch(message);
  });

  it('rejects a non-object options argument and a non-string text', () => {
    expect(qrError(() => encode('abc', 'L' as unknown as EncodeOptions)).message).toBe(
      'options must be an object',
    );
    expect(qrError(() => encode(42 as unknown as string)).code).toBe('invalid_option');
  });

  it('rejects forced segments that split a surrogate pair', () => {
    const segments = [
      { mode: 'byte', text: '😀'[0]! },
      { mode: 'byte', text: '😀'[1]! },
    ] as const;
    expect(qrError(() => encode('😀', { segments })).code).toBe('invalid_option');
  });
});

describe('encode: symbol', () => {
  it('describes itself and draws the function patterns', () => {
    const symbol = encode('https://example.com');
    expect(symbol).toMatchObject({ version: 2, size: 25, eci: false });
    expect(symbol.modules).toHaveLength(25 * 25);
    expect(Object.isFrozen(symbol)).toBe(true);
    const at = (r: number, c: number): number => symbol.modules[r * 25 + c]!;
    // Finder pattern corners and centres, their separators, the timing pattern, the dark module.
    for (const [r, c] of [
      [0, 0],
      [3, 3],
      [0, 24],
      [3, 21],
      [24, 0],
      [21, 3],
    ] as const) {
      expect(at(r, c)).toBe(1);
    }
    expect(at(7, 7)).toBe(0);
    expect([8, 9, 10, 11, 12].map((c) => at(6, c))).toEqual([1, 0, 1, 0, 1]);
    expect(at(25 - 8, 8)).toBe(1);
    // Alignment pattern of version 2 centred at (18, 18).
    expect([at(18, 18), at(17, 18), at(16, 18)]).toEqual([1, 0, 1]);
  });

  it('picks the smallest version that holds the data', () => {
    expect(encode('1'.repeat(41), { ecc: 'L', boostEcc: false }).version).toBe(1);
    expect(encode('1'.repeat(42), { ecc: 'L', boostEcc: false }).version).toBe(2);
  });

  it('honours minVersion, maxVersion and version', () => {
    expect(encode('hi', { minVersion: 5 }).version).toBe(5);
    expect(encode('hi', { version: 12 }).version).toBe(12);
    expect(encode('hi', { minVersion: 9, maxVersion: 11 }).version).toBe(9);
  });

  it('uses a forced mask', () => {
    const masks = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => encode('mask test', { mask }));
    masks.forEach((symbol, mask) => expect(symbol.mask).toBe(mask));
    expect(new Set(masks.map((s) => Buffer.from(s.modules).toString('base64'))).size).toBe(8);
  });

  it('raises the ECC level while the data still fits the same version (boostEcc)', () => {
    // "HELLO": 41 bits, which version 1 holds even at H (72 bits).
    expect(encode('HELLO').ecc).toBe('H');
    expect(encode('HELLO', { boostEcc: false }).ecc).toBe('M');
    expect(encode('HELLO', { ecc: 'L', boostEcc: false }).ecc).toBe('L');
    // 20 bytes: version 2 at M (28 bytes) and Q (22) but not H (16); boosting keeps version 2.
    const text = 'x'.repeat(20);
    expect(encode(text, { boostEcc: false })).toMatchObject({ version: 2, ecc: 'M' });
    expect(encode(text)).toMatchObject({ version: 2, ecc: 'Q' });
  });

  it('never lowers the requested level', () => {
    for (const ecc of ['L', 'M', 'Q', 'H'] as const) {
      const levels: EccLevel[] = ['L', 'M', 'Q', 'H'];
      expect(levels.indexOf(encode('x'.repeat(100), { ecc }).ecc)).toBeGreaterThanOrEqual(
        levels.indexOf(ecc),
      );
    }
  });

  it('writes an ECI header declaring UTF-8 on request', () => {
    const plain = encode('héllo wörld', { ecc: 'L', boostEcc: false });
    const withEci = encode('héllo wörld', { ecc: 'L', boostEcc: false, eci: true });
    expect(withEci.eci).toBe(true);
    expect(decode(withEci)).toBe('héllo wörld');
    expect(withEci.modules).not.toEqual(plain.modules);
    // 12 more bits: a text that fills version 1-L exactly no longer fits it.
    expect(encode('a'.repeat(17), { ecc: 'L', boostEcc: false }).version).toBe(1);
    expect(encode('a'.repeat(17), { ecc: 'L', boostEcc: false, eci: true }).version).toBe(2);
  });

  it('writes a lone surrogate as U+FFFD, as TextEncoder does', () => {
    expect(decode(encode('a\ud800b'))).toBe('a\ufffdb');
  });
});

describe('encode: properties', () => {
  it('never throws for a non-empty string within capacity, and gives a well-formed symbol', () => {
    // 700 UTF-16 units are at most 2,100 UTF-8 bytes: within 2,331 (version 40-M).
    const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
    const text = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 350 }),
      fc.string({ unit: anyUnit, minLength: 1, maxLength: 700 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
      fc.stringMatching(/^[0-9A-Z $%*+\-./:]{1,400}$/),
    );
    fc.assert(
      fc.property(text, fc.constantFrom<EccLevel>('L', 'M'), fc.boolean(), (input, ecc, eci) => {
        const symbol = encode(input, { ecc, eci });
        expect(symbol.size).toBe(symbol.version * 4 + 17);
        expect(symbol.modules).toHaveLength(symbol.size * symbol.size);
        expect(symbol.segments.map((s) => s.text).join('')).toBe(input);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes (jsQR) to the input for a sample of strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
          fc.string({ minLength: 1, maxLength: 120 }),
        ),
        (input) => {
          expect(decode(encode(input))).toBe(input);
        },
      ),
      { numRuns: 60 },
    );
  });
});
