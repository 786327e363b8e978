/** Path suffix that marks a scan of the printed code, as opposed to a typed or clicked link. */
export const QR_MARKER = '/Q';

/**
 * What the dynamic QR code encodes: the short URL in upper case (scheme, host and our codes are
 * case-insensitive) plus the marker, so the whole payload fits the alphanumeric mode and the
 * symbol is as small as it can be.
 */
export function qrPayload(shortUrl: string): string {
  return (shortUrl + QR_MARKER).toUpperCase();
}
