import type { QrSymbol } from './encode.js';
import { DEFAULT_MARGIN, MAX_MARGIN } from './style.js';
import { QrError } from './errors.js';

export interface TextStyle {
  /** Quiet zone in modules on each side (default 4). */
  margin?: number;
  /**
   * Draw light modules instead of dark ones. Block characters show in the terminal's
   * text colour: without `invert` they are the dark modules, right for dark text on a
   * light background; a light-on-dark terminal needs `invert` (or `ansi`).
   */
  invert?: boolean;
  /** Wrap each line in ANSI colours (black on bright white) so any terminal theme shows the code correctly. */
  ansi?: boolean;
}

// Index: (top module drawn ? 2 : 0) | (bottom module drawn ? 1 : 0).
const HALF_BLOCKS = [' ', '▄', '▀', '█'];
const ANSI_BLACK_ON_WHITE = '\u001b[30;107m';
const ANSI_RESET = '\u001b[0m';

/**
 * Renders a symbol for a terminal with UTF-8 half blocks: each character covers two
 * module rows, so the code keeps its square shape in a roughly 1:2 character cell.
 */
export function toText(symbol: QrSymbol, style: TextStyle = {}): string {
  if (typeof style !== 'object' || style === null) {
    throw new QrError('invalid_option', 'style must be an object');
  }
  const margin = style.margin ?? DEFAULT_MARGIN;
  if (!Number.isInteger(margin) || margin < 0 || margin > MAX_MARGIN) {
    throw new QrError(
      'invalid_option',
      `margin must be an integer from 0 to ${MAX_MARGIN} (got ${String(margin)})`,
    );
  }
  const { size, modules } = symbol;
  const extent = size + 2 * margin;
  const drawn = style.invert ? 0 : 1;
  // A module outside the symbol (quiet zone, or the half row under an odd last row) is light.
  const isDrawn = (row: number, col: number): number => {
    const r = row - margin;
    const c = col - margin;
    const dark = r >= 0 && r < size && c >= 0 && c < size ? modules[r * size + c]! : 0;
    return dark === drawn ? 1 : 0;
  };
  const lines: string[] = [];
  for (let row = 0; row < extent; row += 2) {
    let line = style.ansi ? ANSI_BLACK_ON_WHITE : '';
    for (let col = 0; col < extent; col++) {
      line += HALF_BLOCKS[(isDrawn(row, col) << 1) | isDrawn(row + 1, col)];
    }
    lines.push(style.ansi ? line + ANSI_RESET : line);
  }
  return lines.join('\n') + '\n';
}
