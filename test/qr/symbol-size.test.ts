import { readFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { encode, type EccLevel } from '../../src/qr/index.js';

/**
 * qrlink's automatic version is never larger than node-qrcode's for the same text and
 * level (boostEcc off, so both report the smallest version at that level).
 *
 * node-qrcode segments mixed text too, so for most texts the two agree. Its symbols are
 * larger (a) for text that suits kanji mode, which it uses only when given a Shift_JIS
 * function, and (b) for some mixed texts: its segmentation merges whole runs of one
 * character class and misses switches that pay (digit runs inside hex, for one), and it
 * plans for a version estimated beforehand, whose character-count indicators may differ
 * from the final version's. qrlink's dynamic programming is exact per version range.
 * The brief's example, HTTPS://EXAMPLE.COM/ABC123?utm=lowercase-tail, is one both
 * segment optimally (320 bits, version 3 at M).
 */

const LEVELS: readonly EccLevel[] = ['L', 'M', 'Q', 'H'];

function loadCorpus(): string[] {
  const file = new URL('../fixtures/qr-corpus.txt', import.meta.url);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')));
}

interface Comparison {
  text: string;
  ecc: EccLevel;
  ours: number;
  theirs: number;
}

describe('symbol size against node-qrcode', () => {
  const corpus = loadCorpus();
  const comparisons: Comparison[] = corpus.flatMap((text) =>
    LEVELS.map((ecc) => ({
      text,
      ecc,
      ours: encode(text, { ecc, boostEcc: false }).version,
      theirs: QRCode.create(text, { errorCorrectionLevel: ecc }).version,
    })),
  );
  const smaller = comparisons.filter((c) => c.ours < c.theirs);

  it('uses a corpus of 200+ real-world URLs and texts', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
  });

  it('never picks a larger version', () => {
    const larger = comparisons.filter((c) => c.ours > c.theirs);
    expect(
      larger.map((c) => `${c.ecc} v${c.ours} > v${c.theirs}: ${JSON.stringify(c.text)}`),
    ).toEqual([]);
  });

  it('picks a smaller version for Japanese text (kanji mode)', () => {
    const japanese = smaller.filter((c) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(c.text));
    expect(japanese.length).toBeGreaterThanOrEqual(10);
    expect(smaller.some((c) => c.text === '日本語のテキスト')).toBe(true);
  });

  it('picks a smaller version for some mixed-mode ASCII texts', () => {
    const mixed = smaller.filter((c) => !/[^\n -~]/.test(c.text));
    expect(mixed.length).toBeGreaterThanOrEqual(6);
    expect(
      mixed.some((c) => c.text.startsWith('HTTPS://ID.GS1.ORG/01/09506000134352/10/LOT')),
    ).toBe(true);
    expect(mixed.some((c) => c.text.startsWith('sha256:'))).toBe(true);
  });

  it('agrees on the upper-case URL with a lower-case tail (both segment it optimally)', () => {
    const example = comparisons.filter(
      (c) => c.text === 'HTTPS://EXAMPLE.COM/ABC123?utm=lowercase-tail',
    );
    expect(example.map((c) => c.ours)).toEqual(example.map((c) => c.theirs));
  });
});
