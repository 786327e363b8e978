import { useObjectUrl } from '../lib/download';

/** A server-rendered QR code (SVG or PNG Blob) shown as an image: SVG in <img> runs no script. */
export function QrImage({
  blob,
  alt,
  small,
}: {
  blob: Blob | undefined;
  alt: string;
  small?: boolean;
}) {
  const url = useObjectUrl(blob);
  return (
    <div className={`qr-frame${small ? ' qr-frame-small' : ''}`}>
      {url ? (
        <img src={url} alt={alt} />
      ) : (
        <div className="spinner" role="status" aria-label="Rendering QR code" />
      )}
    </div>
  );
}
