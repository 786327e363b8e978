import { describe, expect, it } from 'vitest';
import { QrError, checkScannability } from './index.js';
import { parseColour, relativeLuminance, resolveStyle, type RenderStyle } from './style.js';

describe('colours', () => {
  it.each([
    ['#000', { r: 0, g: 0, b: 0, a: 255 }],
    ['#fFf', { r: 255, g: 255, b: 255, a: 255 }],
    ['#1a2b3c', { r: 0x1a, g: 0x2b, b: 0x3c, a: 255 }],
    ['#1a2b3c80', { r: 0x1a, g: 0x2b, b: 0x3c, a: 0x80 }],
    ['#1238', { r: 0x11, g: 0x22, b: 0x33, a: 0x88 }],
    ['transparent', { r: 255, g: 255, b: 255, a: 0 }],
  ])('parses %s', (text, colour) => {
    expect(parseColour(text)).toEqual(colour);
  });

  it.each(['red', '#12', '#12345', '#gggggg', '000000', '#1234567', ''])('rejects %j', (text) => {
    expect(parseColour(text)).toBeUndefined();
  });

  it('computes WCAG relative luminance', () => {
    expect(relativeLuminance({ r: 0, g: 0, b: 0 })).toBe(0);
    expect(relativeLuminance({ r: 255, g: 255, b: 255 })).toBeCloseTo(1, 10);
    expect(relativeLuminance({ r: 119, g: 119, b: 119 })).toBeCloseTo(0.1845, 3);
  });
});

describe('style validation', () => {
  it('has defaults', () => {
    expect(resolveStyle(undefined)).toEqual({
      margin: 4,
      size: undefined,
      fg: { r: 0, g: 0, b: 0, a: 255 },
      bg: { r: 255, g: 255, b: 255, a: 255 },
      dpi: undefined,
    });
  });

  it.each([
    [{ margin: -1 }, /^margin must be an integer from 0 to 100 \(got -1\)$/],
    [{ margin: 1.5 }, /^margin must be/],
    [{ size: 0 }, /^size must be an integer from 1 to 10000/],
    [{ size: 20000 }, /^size must be/],
    [{ dpi: 0 }, /^dpi must be an integer/],
    [{ fg: 'red' }, /^fg must be a hex colour like #000, #1a2b3c or #1a2b3c80 \(got "red"\)$/],
    [{ bg: '#12' }, /^bg must be a hex colour .*, or 'transparent'/],
    [{ fg: 7 }, /^fg must be a hex colour/],
  ])('rejects %j naming the option', (style, message) => {
    expect(() => resolveStyle(style as RenderStyle)).toThrow(QrError);
    expect(() => resolveStyle(style as RenderStyle)).toThrow(message);
  });
});

describe('checkScannability', () => {
  const codes = (style?: RenderStyle): string[] => checkScannability(style).map((w) => w.code);

  it('has nothing to say about the defaults or a dark colour on white', () => {
    expect(checkScannability()).toEqual([]);
    expect(codes({ fg: '#1a237e', bg: '#ffffff' })).toEqual([]);
    expect(codes({ fg: '#000', bg: 'transparent' })).toEqual([]);
    expect(codes({ margin: 2 })).toEqual([]);
  });

  it('warns below 3:1 contrast, giving the ratio', () => {
    const [warning] = checkScannability({ fg: '#777777', bg: '#888888' });
    expect(warning?.code).toBe('low_contrast');
    expect(warning?.message).toMatch(
      /^Low contrast: foreground and background differ by 1\.\d\d:1/,
    );
    expect(codes({ fg: '#999999', bg: '#ffffff' })).toEqual(['low_contrast']); // 2.85:1
    expect(codes({ fg: '#949494', bg: '#ffffff' })).toEqual([]); // 3.03:1
  });

  it('composites alpha over white before measuring', () => {
    expect(codes({ fg: '#00000030' })).toEqual(['low_contrast']);
    expect(codes({ fg: '#000000', bg: '#00000000' })).toEqual([]);
  });

  it('warns about a foreground lighter than the background', () => {
    expect(codes({ fg: '#ffffff', bg: '#000000' })).toEqual(['inverted_colors']);
    expect(codes({ fg: '#ffff00', bg: '#fff000' })).toEqual(['low_contrast', 'inverted_colors']);
  });

  it('warns about a quiet zone under 2 modules', () => {
    expect(codes({ margin: 1 })).toEqual(['small_quiet_zone']);
    expect(checkScannability({ margin: 0 })[0]?.message).toBe(
      'Quiet zone of 0 modules: scanners need at least 2 (the standard asks for 4)',
    );
  });
});
