import { Download } from 'lucide-react';
import { useState } from 'react';
import { useLinkQr, useQrDownload, type Link } from '../../api/links';
import { formErrors } from '../../api/problem';
import { QrImage } from '../../components/QrImage';
import {
  DEFAULT_DESIGN,
  designQuery,
  QrOptionsForm,
  type QrDesign,
} from '../../components/QrOptionsForm';
import { FormError } from '../../components/states';
import { downloadBlob, fileSlug } from '../../lib/download';
import { useDebounced } from '../../lib/useDebounced';

/** Live preview rendered by the server from the same options the download uses. */
export function QrDesigner({ link }: { link: Link }) {
  const [design, setDesign] = useState<QrDesign>(DEFAULT_DESIGN);
  const query = designQuery(useDebounced(design, 250));
  // The preview is always an SVG at a modest size; the chosen format and size are for the file.
  const preview = useLinkQr(link.id, { ...query, format: 'svg', size: 320 });
  const download = useQrDownload();
  const errors = formErrors(preview.error ?? download.error, [
    'query.format',
    'query.ecc',
    'query.size',
    'query.margin',
    'query.fg',
    'query.bg',
    'query',
  ]);
  const fieldErrors = Object.fromEntries(
    Object.entries(errors.fields).map(([k, v]) => [k.replace(/^query\.?/, ''), v]),
  );
  return (
    <div className="grid grid-main-side">
      <section className="card stack" aria-labelledby="design-title">
        <h2 id="design-title">Design</h2>
        <QrOptionsForm design={design} onChange={setDesign} errors={fieldErrors} />
      </section>
      <section className="card stack" aria-labelledby="preview-title">
        <h2 id="preview-title">Preview</h2>
        <QrImage blob={preview.data} alt={`QR code for ${link.shortUrl}`} />
        <p className="small muted break">
          Encodes {link.shortUrl} (with the QR marker, so scans count as QR).
        </p>
        <FormError message={errors.summary ?? fieldErrors['']} />
        <button
          type="button"
          className="btn btn-primary"
          disabled={download.isPending}
          onClick={() =>
            download.mutate(
              { linkId: link.id, options: designQuery(design) },
              {
                onSuccess: (blob) =>
                  downloadBlob(blob, `${fileSlug(link.title ?? link.code)}.${design.format}`),
              },
            )
          }
        >
          <Download size={16} aria-hidden="true" /> Download {design.format.toUpperCase()}
        </button>
      </section>
    </div>
  );
}
