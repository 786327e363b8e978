import { BitWriter } from './bits.js';
import { kanjiValue } from './kanji.js';
import { writeEccCodewords } from './reed-solomon.js';
import {
  ALPHANUMERIC,
  ALPHANUMERIC_VALUE,
  BYTE,
  ECI_UTF8_BITS,
  MODE_INDICATORS,
  NUMERIC,
  countBits,
  versionRange,
  type SegmentPlan,
  type TextProfile,
} from './segments.js';
import { blockLayout } from './tables.js';

/** Appends mode indicator, character count and data of every planned segment. */
function writeSegments(
  writer: BitWriter,
  profile: TextProfile,
  plan: SegmentPlan,
  range: number,
  eci: boolean,
): void {
  const text = profile.text;
  if (eci) writer.write(0b0111_00011010, ECI_UTF8_BITS);
  for (let s = 0; s < plan.count; s++) {
    const mode = plan.modes[s]!;
    const start = plan.starts[s]!;
    const end = plan.ends[s]!;
    writer.write(MODE_INDICATORS[mode]!, 4);
    writer.write(plan.units[s]!, countBits(mode, range));
    if (mode === NUMERIC) {
      let i = start;
      for (; i + 3 <= end; i += 3) {
        const value =
          (text.charCodeAt(i) - 48) * 100 +
          (text.charCodeAt(i + 1) - 48) * 10 +
          (text.charCodeAt(i + 2) - 48);
        writer.write(value, 10);
      }
      if (end - i === 2) {
        writer.write((text.charCodeAt(i) - 48) * 10 + (text.charCodeAt(i + 1) - 48), 7);
      } else if (end - i === 1) {
        writer.write(text.charCodeAt(i) - 48, 4);
      }
    } else if (mode === ALPHANUMERIC) {
      let i = start;
      for (; i + 2 <= end; i += 2) {
        const pair =
          ALPHANUMERIC_VALUE[text.charCodeAt(i)]! * 45 +
          ALPHANUMERIC_VALUE[text.charCodeAt(i + 1)]!;
        writer.write(pair, 11);
      }
      if (i < end) writer.write(ALPHANUMERIC_VALUE[text.charCodeAt(i)]!, 6);
    } else if (mode === BYTE) {
      for (let i = start; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x80) {
          writer.write(c, 8);
        } else if (c < 0x800) {
          writer.write(0xc080 | ((c << 2) & 0x1f00) | (c & 0x3f), 16);
        } else if (profile.byteLength[i] === 4) {
          const point = ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00) + 0x10000;
          writer.write(0xf0 | (point >> 18), 8);
          writer.write(
            0x808080 | ((point << 4) & 0x3f0000) | ((point << 2) & 0x3f00) | (point & 0x3f),
            24,
          );
        } else {
          // A lone surrogate is written as U+FFFD, like TextEncoder does.
          const point = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
          writer.write(
            0xe08080 | ((point << 4) & 0x0f0000) | ((point << 2) & 0x3f00) | (point & 0x3f),
            24,
          );
        }
      }
    } else {
      for (let i = start; i < end; i++) writer.write(kanjiValue(profile.sjis[i]!), 13);
    }
  }
}

/** Bytes the largest symbol needs: version 40 has 3,706 codewords. */
const MAX_CODEWORDS = 3706;

// Working buffers reused by every call (encode is synchronous, so calls never overlap):
// allocating large typed arrays costs more than the work done in them for small symbols.
const dataBuffer = new Uint8Array(MAX_CODEWORDS);
const eccBuffer = new Uint8Array(MAX_CODEWORDS);
const codewordBuffer = new Uint8Array(MAX_CODEWORDS);
const blockStarts = new Uint32Array(82);

/** Data codewords: segments, terminator, zero bits to a byte boundary, then pad bytes (7.4.10). */
export function writeDataCodewords(
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
export function interleaveCodewords(data: Uint8Array, version: number, ecc: number): Uint8Array {
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
