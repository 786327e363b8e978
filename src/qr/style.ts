import { QrError } from './errors.js';

/** How a symbol is drawn; every field is optional. */
export interface RenderStyle {
  /** Quiet zone in modules on each side (default 4, the minimum ISO/IEC 18004 asks for). */
  margin?: number;
  /**
   * Target width and height in pixels. SVG: the width/height attributes (default none, the
   * image scales to its container). PNG: the largest whole number of pixels per module
   * whose image is not larger than this, at least 1 (default 8 pixels per module).
   */
  size?: number;
  /** Dark-module colour: #rgb, #rgba, #rrggbb or #rrggbbaa (default #000000). */
  fg?: string;
  /** Light-module and quiet-zone colour, as fg, or 'transparent' (default #ffffff). */
  bg?: string;
  /** PNG only: resolution recorded in a pHYs chunk, in dots per inch (default none). */
  dpi?: number;
}

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0 (transparent) to 255 (opaque). */
  a: number;
}

export interface ResolvedStyle {
  margin: number;
  size: number | undefined;
  fg: Rgba;
  bg: Rgba;
  dpi: number | undefined;
}

export const DEFAULT_MARGIN = 4;
/** Largest accepted pixel size and margin: beyond them an image is a mistake, not a QR code. */
const MAX_SIZE = 10_000;
export const MAX_MARGIN = 100;
const MAX_DPI = 100_000;

const HEX_COLOUR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/** Parses #rgb, #rgba, #rrggbb, #rrggbbaa or 'transparent'; undefined when it is none of them. */
export function parseColour(value: string): Rgba | undefined {
  if (value.toLowerCase() === 'transparent') return { r: 255, g: 255, b: 255, a: 0 };
  if (!HEX_COLOUR.test(value)) return undefined;
  let hex = value.slice(1);
  if (hex.length <= 4) hex = hex.replace(/./g, '$&$&');
  const channel = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return { r: channel(0), g: channel(1), b: channel(2), a: hex.length === 8 ? channel(3) : 255 };
}

function invalid(message: string): QrError {
  return new QrError('invalid_option', message);
}

function integerOption(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

function colourOption(name: string, value: unknown, fallback: Rgba): Rgba {
  if (value === undefined) return fallback;
  const colour = typeof value === 'string' ? parseColour(value) : undefined;
  if (!colour) {
    const allowed = name === 'bg' ? ", or 'transparent'" : '';
    throw invalid(
      `${name} must be a hex colour like #000, #1a2b3c or #1a2b3c80${allowed} (got ${JSON.stringify(value)})`,
    );
  }
  return colour;
}

const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 255 };
const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 255 };

/** Validates a style; a bad value throws QrError('invalid_option') naming the field. */
export function resolveStyle(style: RenderStyle | undefined): ResolvedStyle {
  if (style === undefined)
    return { margin: DEFAULT_MARGIN, size: undefined, fg: BLACK, bg: WHITE, dpi: undefined };
  if (typeof style !== 'object' || style === null) throw invalid('style must be an object');
  return {
    margin: integerOption('margin', style.margin, 0, MAX_MARGIN) ?? DEFAULT_MARGIN,
    size: integerOption('size', style.size, 1, MAX_SIZE),
    fg: colourOption('fg', style.fg, BLACK),
    bg: colourOption('bg', style.bg, WHITE),
    dpi: integerOption('dpi', style.dpi, 1, MAX_DPI),
  };
}

/** Hex #rrggbb of a colour, ignoring alpha. */
export function hexRgb(c: Rgba): string {
  return '#' + ((1 << 24) | (c.r << 16) | (c.g << 8) | c.b).toString(16).slice(1);
}

export type ScanWarningCode = 'low_contrast' | 'inverted_colors' | 'small_quiet_zone';

export interface ScanWarning {
  code: ScanWarningCode;
  message: string;
}

/**
 * Thresholds of checkScannability. Contrast is the WCAG 2 ratio of relative luminances,
 * (L1 + 0.05) / (L2 + 0.05), between the two colours as printed on white paper (alpha is
 * composited over white). Phone scanners binarise the image; below 3:1 many fail, so that
 * is where the warning starts (4.5:1 or more is the comfortable range).
 */
export const MIN_CONTRAST_RATIO = 3;
/** Below 2 modules of quiet zone scanners often fail to find the finder patterns. */
export const MIN_QUIET_ZONE = 2;

function composite(
  top: Rgba,
  under: { r: number; g: number; b: number },
): { r: number; g: number; b: number } {
  const alpha = top.a / 255;
  return {
    r: top.r * alpha + under.r * (1 - alpha),
    g: top.g * alpha + under.g * (1 - alpha),
    b: top.b * alpha + under.b * (1 - alpha),
  };
}

/** WCAG 2 relative luminance of an sRGB colour with 0-255 channels. */
export function relativeLuminance(c: { r: number; g: number; b: number }): number {
  const linear = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

/**
 * Warns, as data, about styles that make a symbol hard or impossible to scan: contrast
 * under 3:1, a foreground lighter than its background (many scanners only read dark on
 * light), and a quiet zone under 2 modules. Invalid styles throw like the renderers do.
 */
export function checkScannability(style?: RenderStyle): ScanWarning[] {
  const { fg, bg, margin } = resolveStyle(style);
  const paper = { r: 255, g: 255, b: 255 };
  const light = composite(bg, paper);
  const dark = composite(fg, light);
  const lightLuminance = relativeLuminance(light);
  const darkLuminance = relativeLuminance(dark);
  const ratio =
    (Math.max(lightLuminance, darkLuminance) + 0.05) /
    (Math.min(lightLuminance, darkLuminance) + 0.05);
  const warnings: ScanWarning[] = [];
  if (ratio < MIN_CONTRAST_RATIO) {
    warnings.push({
      code: 'low_contrast',
      message: `Low contrast: foreground and background differ by ${ratio.toFixed(2)}:1; scanners need at least ${MIN_CONTRAST_RATIO}:1 (4.5:1 or more is safer)`,
    });
  }
  if (darkLuminance > lightLuminance) {
    warnings.push({
      code: 'inverted_colors',
      message:
        'Inverted colours: the foreground is lighter than the background, which many scanners cannot read',
    });
  }
  if (margin < MIN_QUIET_ZONE) {
    warnings.push({
      code: 'small_quiet_zone',
      message: `Quiet zone of ${margin} module${margin === 1 ? '' : 's'}: scanners need at least ${MIN_QUIET_ZONE} (the standard asks for 4)`,
    });
  }
  return warnings;
}
