import type { QrSymbol } from './encode.js';
import { hexRgb, resolveStyle, type Rgba, type RenderStyle } from './style.js';

function fillAttributes(colour: Rgba): string {
  const opacity = colour.a === 255 ? '' : ` fill-opacity="${Number((colour.a / 255).toFixed(3))}"`;
  return `fill="${hexRgb(colour)}"${opacity}`;
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
  let path = '';
  for (let y = 0; y < size; y++) {
    const row = y * size;
    const top = ` ${y + margin}h`;
    for (let x = 0; x < size; x++) {
      if (modules[row + x] === 0) continue;
      const start = x;
      while (x + 1 < size && modules[row + x + 1] === 1) x++;
      const run = x - start + 1;
      path += `M${start + margin}${top}${run}v1h-${run}z`;
    }
  }
  const dimensions = pixels === undefined ? '' : ` width="${pixels}" height="${pixels}"`;
  const background =
    bg.a === 0 ? '' : `<rect width="${extent}" height="${extent}" ${fillAttributes(bg)}/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${extent} ${extent}"${dimensions} shape-rendering="crispEdges">` +
    `${background}<path ${fillAttributes(fg)} d="${path}"/></svg>\n`
  );
}
