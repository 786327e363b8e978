import { Download } from 'lucide-react';
import { useMemo, useState } from 'react';
import { ProblemError, formErrors } from '../../api/problem';
import { useStaticQr, type StaticQrRequest } from '../../api/qr';
import { TextAreaField } from '../../components/fields';
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

const MAX_TEXT = 2953;

/** A QR code for any text (Wi-Fi, vCard, plain text): no short link, no tracking, cannot be edited later. */
export default function StaticQrPage() {
  const [text, setText] = useState('');
  const [design, setDesign] = useState<QrDesign>(DEFAULT_DESIGN);
  const request: StaticQrRequest = useMemo(
    () => ({ text, ...designQuery(design) }),
    [text, design],
  );
  const debounced = useDebounced(request, 300);
  const qr = useStaticQr(debounced.text.trim() ? debounced : null);
  const missing =
    qr.error instanceof ProblemError &&
    (qr.error.status === 404 || qr.error.status === 405) &&
    qr.error.code !== 'validation_failed';
  const errors = formErrors(missing ? null : qr.error, [
    'text',
    'format',
    'ecc',
    'size',
    'margin',
    'fg',
    'bg',
  ]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>QR code generator</h1>
          <p>
            A static QR code for any text. It holds the text itself: no short link, no scan
            counting, and it cannot be changed after printing.
          </p>
        </div>
      </div>
      <div className="grid grid-main-side">
        <section className="card stack" aria-labelledby="static-content">
          <h2 id="static-content">Content</h2>
          <TextAreaField
            label="Text or URL to encode"
            maxLength={MAX_TEXT}
            value={text}
            placeholder="WIFI:T:WPA;S:Cafe;P:secret;;"
            onChange={(e) => setText(e.target.value)}
            hint={`${text.length} of at most ${MAX_TEXT} characters. Longer text makes a denser code.`}
            error={errors.fields.text}
          />
          <h2>Design</h2>
          <QrOptionsForm design={design} onChange={setDesign} errors={errors.fields} />
        </section>
        <section className="card stack" aria-labelledby="static-preview">
          <h2 id="static-preview">Preview</h2>
          {missing ? (
            <div className="alert alert-info" role="status">
              <p>
                This server does not offer static QR codes yet (it needs the{' '}
                <code>POST /api/v1/qr</code> endpoint). Dynamic QR codes for short links work on the
                Home and Links pages.
              </p>
            </div>
          ) : !text.trim() ? (
            <div className="qr-frame">
              <span className="muted small">Type some text to see its QR code</span>
            </div>
          ) : (
            <QrImage blob={qr.data} alt="QR code of the text above" />
          )}
          <FormError message={errors.summary} />
          <button
            type="button"
            className="btn btn-primary"
            disabled={!qr.data || qr.isFetching || missing}
            onClick={() =>
              qr.data && downloadBlob(qr.data, `${fileSlug(text.slice(0, 40))}.${design.format}`)
            }
          >
            <Download size={16} aria-hidden="true" /> Download {design.format.toUpperCase()}
          </button>
        </section>
      </div>
    </>
  );
}
