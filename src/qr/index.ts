export { encode, type EncodeOptions, type QrSymbol } from './encode.js';
export { QrError, type QrErrorCode } from './errors.js';
export { toPng } from './png.js';
export type { QrMode, QrSegment } from './segments.js';
export {
  checkScannability,
  MIN_CONTRAST_RATIO,
  MIN_QUIET_ZONE,
  type RenderStyle,
  type ScanWarning,
  type ScanWarningCode,
} from './style.js';
export { toSvg } from './svg.js';
export type { EccLevel } from './tables.js';
export { toText, type TextStyle } from './text.js';
