import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  QrError,
  checkScannability,
  encode,
  toPng,
  toSvg,
  toText,
  type EccLevel,
  type RenderStyle,
} from '../qr/index.js';
import { parseColour } from '../qr/style.js';
import { UsageError, defineCommand, type CommandSpec } from './io.js';

const FORMATS = ['svg', 'png', 'txt'] as const;
type Format = (typeof FORMATS)[number];
const ECC_LEVELS: readonly EccLevel[] = ['L', 'M', 'Q', 'H'];

export const spec = {
  name: 'qr',
  args: '<text>',
  about: `Encodes <text> as a QR code (the smallest symbol that holds it) and writes it to stdout,
or to a file with -o. Warnings about hard-to-scan colours or quiet zones go to stderr.
Text that starts with a dash goes after --: qrlink qr -- -5`,
  options: {
    format: {
      type: 'string',
      value: 'svg|png|txt',
      help: [
        "output format (default: from -o's extension, which must then be",
        '.svg, .png or .txt; else txt on a terminal, svg otherwise)',
      ],
    },
    ecc: {
      type: 'string',
      value: 'L|M|Q|H',
      help: [
        'minimum error correction (default M; raised for free when the',
        'data still fits the same symbol)',
      ],
    },
    size: {
      type: 'string',
      value: 'PX',
      help: [
        "SVG width/height, or the PNG's largest size in pixels (whole",
        'pixels per module; default 8 per module)',
      ],
    },
    margin: { type: 'string', value: 'N', help: ['quiet zone in modules (default 4)'] },
    fg: {
      type: 'string',
      value: 'HEX',
      help: ['dark colour: #rgb, #rrggbb or #rrggbbaa (default #000000)'],
    },
    bg: {
      type: 'string',
      value: 'HEX',
      help: ['light colour, or "transparent" (default #ffffff)'],
    },
    dpi: { type: 'string', value: 'N', help: ['PNG resolution recorded for printing'] },
    invert: {
      type: 'boolean',
      help: [
        'txt: draw light modules (for light-on-dark terminals when',
        'colours are off with NO_COLOR)',
      ],
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      help: ['write to FILE instead of stdout'],
    },
  },
} as const satisfies CommandSpec;

export const commands = [spec];

function positiveInteger(
  flag: string,
  value: string | undefined,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${flag} must be a positive integer (${what})`);
  return Number(value);
}

function colour(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!parseColour(value) || (flag === 'fg' && value.toLowerCase() === 'transparent')) {
    const transparent = flag === 'bg' ? ' or "transparent"' : '';
    throw new UsageError(
      `--${flag} must be a hex colour (#rgb, #rrggbb or #rrggbbaa)${transparent}`,
    );
  }
  return value;
}

function chooseFormat(
  format: string | undefined,
  output: string | undefined,
  isTty: boolean,
): Format {
  if (format !== undefined) {
    const lower = format.toLowerCase();
    if (!FORMATS.includes(lower as Format))
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    return lower as Format;
  }
  if (output !== undefined) {
    // A file named .jpg (or without an extension) given SVG bytes only fails later, in a viewer.
    const extension = extname(output).slice(1).toLowerCase();
    if (FORMATS.includes(extension as Format)) return extension as Format;
    throw new UsageError(
      `cannot tell the format from "${output}": name it .svg, .png or .txt, or give --format`,
    );
  }
  return isTty ? 'txt' : 'svg';
}

export const run = defineCommand(spec, async ({ values, positionals }, io) => {
  if (positionals.length === 0) throw new UsageError('missing <text> to encode (see --help)');
  if (positionals.length > 1) {
    throw new UsageError(
      `expected one <text> argument, got ${positionals.length} (quote text that contains spaces)`,
    );
  }
  const text = positionals[0]!;
  const ecc = values.ecc?.toUpperCase();
  if (ecc !== undefined && !ECC_LEVELS.includes(ecc as EccLevel)) {
    throw new UsageError(`--ecc must be one of ${ECC_LEVELS.join(', ')}`);
  }
  const margin = values.margin;
  if (margin !== undefined && !/^\d+$/.test(margin)) {
    throw new UsageError('--margin must be a whole number of modules (0 or more)');
  }
  const style: RenderStyle = {
    size: positiveInteger('size', values.size, 'pixels'),
    margin: margin === undefined ? undefined : Number(margin),
    fg: colour('fg', values.fg),
    bg: colour('bg', values.bg),
    dpi: positiveInteger('dpi', values.dpi, 'dots per inch'),
  };
  const output = values.output;
  const format = chooseFormat(values.format, output, io.stdout.isTTY === true);
  if (format === 'png' && output === undefined && io.stdout.isTTY) {
    throw new UsageError(
      'refusing to write a binary PNG to the terminal; use -o FILE or redirect stdout',
    );
  }

  let rendered: string | Buffer;
  try {
    const symbol = encode(text, { ecc: ecc as EccLevel | undefined });
    if (format === 'txt') {
      const ansi =
        output === undefined && io.stdout.isTTY === true && io.env.NO_COLOR === undefined;
      rendered = toText(symbol, { margin: style.margin, invert: values.invert, ansi });
    } else {
      rendered = format === 'png' ? toPng(symbol, style) : toSvg(symbol, style);
    }
    // Colours do not apply to text output; its quiet zone does.
    const warnings = checkScannability(format === 'txt' ? { margin: style.margin } : style);
    for (const warning of warnings) io.stderr.write(`qrlink qr: warning: ${warning.message}\n`);
  } catch (err) {
    if (!(err instanceof QrError)) throw err;
    if (err.code === 'invalid_option') throw new UsageError(err.message);
    io.stderr.write(`qrlink qr: ${err.message}\n`);
    return 1;
  }

  if (output !== undefined) {
    try {
      await writeFile(output, rendered);
    } catch (err) {
      io.stderr.write(
        `qrlink qr: cannot write ${output}: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      return 1;
    }
  } else {
    io.stdout.write(rendered);
  }
  return 0;
});
