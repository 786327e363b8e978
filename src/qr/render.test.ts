import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { QrError, encode, toPng, toSvg, toText, type QrSymbol, type RenderStyle } from './index.js';

const GOLDEN_DIR = new URL('./__golden__/', import.meta.url);

/**
 * Compares output with a committed golden file. A missing golden is written and the test
 * fails once, so that a new or intentionally changed output (delete the old file) is
 * looked at before it is committed.
 */
function expectGolden(name: string, actual: string | Buffer): void {
  const file = new URL(name, GOLDEN_DIR);
  if (!existsSync(file)) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    throw new Error(
      `golden file ${name} was missing and has been written: review it, then run again`,
    );
  }
  if (typeof actual === 'string') expect(actual).toBe(readFileSync(file, 'utf8'));
  else expect(actual.equals(readFileSync(file)), `${name} differs from its golden file`).toBe(true);
}

const url = encode('https://example.com', { mask: 2 });
const kanji = encode('こんにちは世界');

function isDark(symbol: QrSymbol, margin: number, mx: number, my: number): boolean {
  const x = mx - margin;
  const y = my - margin;
  return (
    x >= 0 &&
    y >= 0 &&
    x < symbol.size &&
    y < symbol.size &&
    symbol.modules[y * symbol.size + x] === 1
  );
}

describe('SVG', () => {
  it.each([
    ['url-default.svg', url, undefined],
    ['url-styled.svg', url, { size: 256, margin: 2, fg: '#1a237e', bg: '#fffde7' }],
    ['url-transparent.svg', url, { fg: '#00000080', bg: 'transparent', margin: 0 }],
    ['kanji-default.svg', kanji, undefined],
  ] as const)('matches %s', (name, symbol, style) => {
    expectGolden(name, toSvg(symbol, style));
  });

  it('draws exactly the dark modules, one rectangle per horizontal run, in one path', () => {
    const svg = toSvg(url, { margin: 3 });
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg).toContain('viewBox="0 0 31 31"');
    expect(svg).toContain('shape-rendering="crispEdges"');
    const d = /<path [^>]*d="([^"]*)"/.exec(svg)![1]!;
    const drawn = new Set<string>();
    let previous = { x: -1, y: -1, n: 0 };
    for (const [, x, y, n] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      const run = { x: Number(x), y: Number(y), n: Number(n) };
      // Runs are maximal: the next run on a row starts after a gap.
      if (run.y === previous.y) expect(run.x).toBeGreaterThan(previous.x + previous.n);
      for (let i = 0; i < run.n; i++) drawn.add(`${run.x + i},${run.y}`);
      previous = run;
    }
    for (let y = 0; y < 31; y++) {
      for (let x = 0; x < 31; x++) expect(drawn.has(`${x},${y}`)).toBe(isDark(url, 3, x, y));
    }
  });

  it('sets pixel size, colours and opacity, and leaves out a transparent background', () => {
    const svg = toSvg(url, { size: 300, fg: '#11223380', bg: 'transparent' });
    expect(svg).toContain('width="300" height="300"');
    expect(svg).toContain('fill="#112233" fill-opacity="0.502"');
    expect(svg).not.toContain('<rect');
    expect(toSvg(url)).toContain('<rect width="33" height="33" fill="#ffffff"/>');
  });

  it('is deterministic', () => {
    expect(toSvg(encode('same'))).toBe(toSvg(encode('same')));
  });

  it('validates the style', () => {
    expect(() => toSvg(url, { fg: 'blue' })).toThrow(QrError);
  });
});

function readChunks(png: Buffer): { type: string; data: Buffer }[] {
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    chunks.push({
      type: png.toString('latin1', at + 4, at + 8),
      data: png.subarray(at + 8, at + 8 + length),
    });
    at += 12 + length;
  }
  return chunks;
}

describe('PNG', () => {
  it.each([
    ['url-default.png', url, undefined],
    ['url-palette.png', url, { size: 256, fg: '#1a237e', bg: '#fffde7', dpi: 300 }],
    ['url-transparent.png', url, { size: 100, margin: 2, fg: '#000', bg: 'transparent' }],
    ['url-inverted.png', url, { fg: '#fff', bg: '#000', size: 66 }],
  ] as const)('matches %s', (name, symbol, style) => {
    expectGolden(name, toPng(symbol, style));
  });

  it.each<[string, RenderStyle | undefined, number]>([
    ['default: 8 px per module', undefined, 8],
    ['largest scale not over the size', { size: 256 }, 7],
    ['at least 1 px per module', { size: 10 }, 1],
    ['exact fit', { size: 330 }, 10],
  ])('scales the image (%s)', (_, style, scale) => {
    const png = toPng(url, style);
    const image = PNG.sync.read(png);
    expect(image.width).toBe(33 * scale);
    expect(image.height).toBe(33 * scale);
  });

  it.each<[string, RenderStyle]>([
    ['black on white', {}],
    ['white on black', { fg: '#ffffff', bg: '#000000' }],
    ['colours', { fg: '#1a237e', bg: '#fffde7' }],
    ['transparent background', { bg: 'transparent', fg: '#336699cc' }],
    ['no margin, odd scale', { margin: 0, size: 25 * 3 }],
    ['wide modules', { margin: 1, size: 27 * 21 }],
  ])('paints every pixel with its module colour (%s)', (_, style) => {
    const png = toPng(url, style);
    const image = PNG.sync.read(png);
    const margin = style.margin ?? 4;
    const scale = image.width / (url.size + 2 * margin);
    const hex = (c: string): number[] => {
      const h = c.replace('#', '');
      return [0, 2, 4, 6].map((i) => (i < h.length ? parseInt(h.slice(i, i + 2), 16) : 255));
    };
    const fg = hex(style.fg ?? '#000000');
    const bg = style.bg === 'transparent' ? [255, 255, 255, 0] : hex(style.bg ?? '#ffffff');
    const expected = Buffer.alloc(image.width * image.height * 4);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const dark = isDark(url, margin, Math.floor(x / scale), Math.floor(y / scale));
        expected.set(dark ? fg : bg, (y * image.width + x) * 4);
      }
    }
    const firstDifference = expected.findIndex((value, i) => value !== image.data[i]);
    expect(firstDifference, `pixel ${Math.floor(firstDifference / 4)} differs`).toBe(-1);
  });

  it('writes 1-bit greyscale for black and white, a palette with tRNS otherwise, and pHYs for a DPI', () => {
    const ihdr = (png: Buffer): Buffer => readChunks(png)[0]!.data;
    const plain = toPng(url);
    expect(readChunks(plain).map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([ihdr(plain)[8], ihdr(plain)[9]]).toEqual([1, 0]);

    const coloured = toPng(url, { fg: '#1a237e', bg: 'transparent', dpi: 300 });
    expect(readChunks(coloured).map((c) => c.type)).toEqual([
      'IHDR',
      'PLTE',
      'tRNS',
      'pHYs',
      'IDAT',
      'IEND',
    ]);
    expect([ihdr(coloured)[8], ihdr(coloured)[9]]).toEqual([1, 3]);
    const chunk = (type: string): Buffer => readChunks(coloured).find((c) => c.type === type)!.data;
    expect([...chunk('PLTE')]).toEqual([255, 255, 255, 0x1a, 0x23, 0x7e]);
    expect([...chunk('tRNS')]).toEqual([0]);
    // 300 dpi = 11,811 pixels per metre, unit 1 (metre).
    expect([
      chunk('pHYs').readUInt32BE(0),
      chunk('pHYs').readUInt32BE(4),
      chunk('pHYs')[8],
    ]).toEqual([11811, 11811, 1]);
  });
});

describe('text', () => {
  it.each([
    ['url.txt', {}],
    ['url-inverted.txt', { invert: true, margin: 1 }],
    ['url-ansi.txt', { ansi: true, margin: 2 }],
  ] as const)('matches %s', (name, style) => {
    expectGolden(name, toText(url, style));
  });

  it('packs two module rows into each line with half blocks', () => {
    const text = toText(url, { margin: 1 });
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(Math.ceil(27 / 2));
    for (const line of lines) expect([...line]).toHaveLength(27);
    lines.forEach((line, row) => {
      [...line].forEach((character, x) => {
        const top = isDark(url, 1, x, row * 2);
        const bottom = isDark(url, 1, x, row * 2 + 1);
        expect(character).toBe(top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' ');
      });
    });
  });

  it('validates the margin', () => {
    expect(() => toText(url, { margin: -2 })).toThrow(/^margin must be an integer/);
  });
});
