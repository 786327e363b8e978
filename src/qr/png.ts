import { crc32, deflateSync } from 'node:zlib';
import type { QrSymbol } from './encode.js';
import { resolveStyle, type Rgba, type RenderStyle } from './style.js';

/** Pixels per module when no target size is given. */
const DEFAULT_PNG_SCALE = 8;

/**
 * zlib level for IDAT. Measured on version 3 and 13 symbols at 256 and 1024 px: levels 1-3
 * take about the same time at 256 px (20-35 µs), level 1 is the fastest at 1024 px (by
 * 5-45 %), and levels 4-9 cost 2-20 times as much for files 20-60 % smaller.
 */
const DEFLATE_LEVEL = 1;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isBlackOrWhite(c: Rgba): boolean {
  return c.a === 255 && c.r === c.g && c.g === c.b && (c.r === 0 || c.r === 255);
}

/** Writes a chunk (length, type, data from `fill`, CRC) at `offset`; returns the offset after it. */
function writeChunk(
  png: Buffer,
  offset: number,
  type: string,
  length: number,
  fill: (dataStart: number) => void,
): number {
  png.writeUInt32BE(length, offset);
  png.write(type, offset + 4, 'latin1');
  fill(offset + 8);
  const end = offset + 8 + length;
  png.writeUInt32BE(crc32(png.subarray(offset + 4, end)), end);
  return end + 4;
}

/** PNG filter types (ISO/IEC 15948, 9.2): a row as is, or as its difference from the row above. */
const FILTER_NONE = 0;
const FILTER_UP = 2;

/**
 * The filtered scanlines of the 1-bit image. Each module row is packed into one pixel row
 * (filter None); the `scale - 1` rows that repeat it are stored with filter Up, which
 * makes them all zeros: deflate then has less to search and the file gets smaller than
 * with copied rows.
 */
function scanlines(
  symbol: QrSymbol,
  margin: number,
  scale: number,
  darkBit: number,
  lightBit: number,
): Buffer {
  const { size, modules } = symbol;
  const width = (size + 2 * margin) * scale;
  const stride = ((width + 7) >> 3) + 1;
  const raw = Buffer.alloc(stride * width);
  for (let at = 0; at < raw.length; at += stride) raw[at] = FILTER_UP;
  const quietRows = margin * scale;
  const lightByte = lightBit ? 0xff : 0x00;
  // Quiet zone above and below: one light row each (the padding bits too), then repeats.
  for (const first of [0, (quietRows + size * scale) * stride]) {
    if (quietRows === 0) break;
    raw[first] = FILTER_NONE;
    raw.fill(lightByte, first + 1, first + stride);
  }
  const quietPixels = margin * scale;
  const lightRun = lightBit && scale <= 16 ? (1 << scale) - 1 : 0;
  const darkRun = darkBit && scale <= 16 ? (1 << scale) - 1 : 0;
  for (let y = 0; y < size; y++) {
    const rowStart = (quietRows + y * scale) * stride;
    const rowEnd = rowStart + stride;
    raw[rowStart] = FILTER_NONE;
    // Left quiet zone: whole light bytes, the rest into the bit accumulator.
    let k = rowStart + 1;
    const wholeBytes = quietPixels >> 3;
    if (lightByte) raw.fill(lightByte, k, k + wholeBytes);
    k += wholeBytes;
    let bits = quietPixels & 7;
    // Pending pixels, most significant (leftmost) first; fewer than 8 between modules.
    let acc = lightBit ? (1 << bits) - 1 : 0;
    const row = y * size;
    if (scale <= 16) {
      // A module's pixels at once: `scale` + 7 pending bits stay within 32.
      for (let x = 0; x < size; x++) {
        acc = (acc << scale) | (modules[row + x] ? darkRun : lightRun);
        bits += scale;
        while (bits >= 8) {
          bits -= 8;
          raw[k++] = acc >>> bits;
        }
        acc &= (1 << bits) - 1;
      }
    } else {
      for (let x = 0; x < size; x++) {
        const bit = modules[row + x] ? darkBit : lightBit;
        for (let remaining = scale; remaining > 0; remaining -= 16) {
          const take = remaining < 16 ? remaining : 16;
          acc = (acc << take) | (bit ? (1 << take) - 1 : 0);
          bits += take;
          while (bits >= 8) {
            bits -= 8;
            raw[k++] = acc >>> bits;
          }
          acc &= (1 << bits) - 1;
        }
      }
    }
    // Right quiet zone and the padding bits of the last byte: light to the end of the row.
    if (bits > 0) raw[k++] = (acc << (8 - bits)) | (lightBit ? (1 << (8 - bits)) - 1 : 0);
    if (lightByte) raw.fill(lightByte, k, rowEnd);
  }
  return raw;
}

/**
 * Renders a symbol as a 1-bit PNG: greyscale when the colours are opaque black and
 * white, otherwise a two-entry palette (with tRNS for transparency). The scale is a whole
 * number of pixels per module, so module edges stay sharp.
 */
export function toPng(symbol: QrSymbol, style?: RenderStyle): Buffer {
  const { margin, size: target, fg, bg, dpi } = resolveStyle(style);
  const modulesAcross = symbol.size + 2 * margin;
  const scale =
    target === undefined ? DEFAULT_PNG_SCALE : Math.max(1, Math.floor(target / modulesAcross));
  const width = modulesAcross * scale;
  const greyscale = isBlackOrWhite(fg) && isBlackOrWhite(bg);
  // Greyscale: 0 is black, 1 is white. Palette: index 0 is the background, 1 the foreground.
  const darkBit = greyscale ? (fg.r === 255 ? 1 : 0) : 1;
  const lightBit = greyscale ? (bg.r === 255 ? 1 : 0) : 0;
  const idat = deflateSync(scanlines(symbol, margin, scale, darkBit, lightBit), {
    level: DEFLATE_LEVEL,
  });
  const transparency = greyscale ? 0 : fg.a < 255 ? 2 : bg.a < 255 ? 1 : 0;

  const length =
    SIGNATURE.length +
    25 +
    (greyscale ? 0 : 18) +
    (transparency ? 12 + transparency : 0) +
    (dpi === undefined ? 0 : 21) +
    12 +
    idat.length +
    12;
  const png = Buffer.allocUnsafe(length);
  png.set(SIGNATURE, 0);
  let offset = writeChunk(png, SIGNATURE.length, 'IHDR', 13, (at) => {
    png.writeUInt32BE(width, at);
    png.writeUInt32BE(width, at + 4);
    png[at + 8] = 1; // bit depth
    png[at + 9] = greyscale ? 0 : 3; // colour type: greyscale or indexed
    png[at + 10] = 0; // compression: deflate
    png[at + 11] = 0; // filter method 0
    png[at + 12] = 0; // no interlace
  });
  if (!greyscale) {
    offset = writeChunk(png, offset, 'PLTE', 6, (at) => {
      png.set([bg.r, bg.g, bg.b, fg.r, fg.g, fg.b], at);
    });
  }
  if (transparency) {
    offset = writeChunk(png, offset, 'tRNS', transparency, (at) => {
      png[at] = bg.a;
      if (transparency === 2) png[at + 1] = fg.a;
    });
  }
  if (dpi !== undefined) {
    offset = writeChunk(png, offset, 'pHYs', 9, (at) => {
      const pixelsPerMetre = Math.round(dpi / 0.0254);
      png.writeUInt32BE(pixelsPerMetre, at);
      png.writeUInt32BE(pixelsPerMetre, at + 4);
      png[at + 8] = 1; // unit: metre
    });
  }
  offset = writeChunk(png, offset, 'IDAT', idat.length, (at) => {
    png.set(idat, at);
  });
  writeChunk(png, offset, 'IEND', 0, () => undefined);
  return png;
}
