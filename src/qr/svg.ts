import { Buffer } from 'node:buffer';
import type { QrSymbol } from './encode.js';
import { hexRgb, resolveStyle, type Rgba, type RenderStyle } from './style.js';

function fillAttributes(colour: Rgba): string {
  const opacity = colour.a === 255 ? '' : ` fill-opacity="${Number((colour.a / 255).toFixed(3))}"`;
  return `fill="${hexRgb(colour)}"${opacity}`;
}

/** Longest path command: "M" x " " y "h" n "v1h-" n "z" with numbers of up to 3 digits. */
const MAX_RUN_BYTES = 20;
const ascii = (character: string): number => character.charCodeAt(0);
const [M, SPACE, H, V, ONE, MINUS, Z] = [
  ascii('M'),
  ascii(' '),
  ascii('h'),
  ascii('v'),
  ascii('1'),
  ascii('-'),
  ascii('z'),
];

/** Path bytes, reused across calls and grown on demand (rendering is synchronous). */
let pathBuffer = Buffer.allocUnsafe(64 * 1024);

/** Writes a non-negative integer below 1000 as ASCII digits; returns the next offset. */
function writeNumber(buffer: Buffer, at: number, n: number): number {
  if (n >= 100) {
    buffer[at++] = 48 + ((n / 100) | 0);
    n %= 100;
    buffer[at++] = 48 + ((n / 10) | 0);
  } else if (n >= 10) {
    buffer[at++] = 48 + ((n / 10) | 0);
  }
  buffer[at++] = 48 + (n % 10);
  return at;
}

/**
 * Renders a symbol as an SVG document: a background rectangle (left out when the
 * background is fully transparent) and one path for all dark modules, each horizontal
 * run of dark modules one rectangle. Coordinates are in modules, quiet zone included.
 */
export function toSvg(symbol: QrSymbol, style?: RenderStyle): string {
  const { margin, size: pixels, fg, bg } = resolveStyle(style);
  const { size, modules } = symbol;
  const extent = size + 2 * margin;
  // At most one run starts at every other module of a row.
  const capacity = size * ((size + 1) >> 1) * MAX_RUN_BYTES;
  if (pathBuffer.length < capacity) pathBuffer = Buffer.allocUnsafe(capacity);
  const path = pathBuffer;
  let at = 0;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      if (modules[row + x] === 0) continue;
      const start = x;
      while (x + 1 < size && modules[row + x + 1] === 1) x++;
      const run = x - start + 1;
      path[at++] = M;
      at = writeNumber(path, at, start + margin);
      path[at++] = SPACE;
      at = writeNumber(path, at, y + margin);
      path[at++] = H;
      at = writeNumber(path, at, run);
      path[at++] = V;
      path[at++] = ONE;
      path[at++] = H;
      path[at++] = MINUS;
      at = writeNumber(path, at, run);
      path[at++] = Z;
    }
  }
  const dimensions = pixels === undefined ? '' : ` width="${pixels}" height="${pixels}"`;
  const background =
    bg.a === 0 ? '' : `<rect width="${extent}" height="${extent}" ${fillAttributes(bg)}/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${extent} ${extent}"${dimensions} shape-rendering="crispEdges">` +
    `${background}<path ${fillAttributes(fg)} d="${path.toString('latin1', 0, at)}"/></svg>\n`
  );
}
