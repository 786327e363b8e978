/** Why an encode or render call was refused; `code` is stable, `message` is for people. */
export type QrErrorCode = 'empty_input' | 'data_too_long' | 'invalid_option';

export class QrError extends Error {
  override name = 'QrError';

  constructor(
    readonly code: QrErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Formats a count with thousands separators, independent of the host locale. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
