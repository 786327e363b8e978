import { checkScannability } from '../../../src/qr/style.js';
import { CheckboxField, SelectField, TextField } from './fields';

/** Options of a server-rendered QR code, shared by the link QR designer and the static generator. */
export interface QrDesign {
  format: 'svg' | 'png';
  ecc: 'L' | 'M' | 'Q' | 'H';
  size: number;
  margin: number;
  fg: string;
  bg: string;
  transparent: boolean;
}

export const DEFAULT_DESIGN: QrDesign = {
  format: 'svg',
  ecc: 'M',
  size: 512,
  margin: 4,
  fg: '#000000',
  bg: '#ffffff',
  transparent: false,
};

/** The query of `/api/v1/links/{id}/qr` and the body of `POST /api/v1/qr` (colours without "#"). */
export function designQuery(design: QrDesign) {
  return {
    format: design.format,
    ecc: design.ecc,
    size: design.size,
    margin: design.margin,
    fg: design.fg.replace(/^#/, ''),
    bg: design.transparent ? 'transparent' : design.bg.replace(/^#/, ''),
  };
}

/** The same scannability check the CLI prints (src/qr/style.ts), inline as the user designs. */
export function scanWarnings(design: QrDesign): string[] {
  try {
    return checkScannability({
      fg: design.fg,
      bg: design.transparent ? 'transparent' : design.bg,
      margin: design.margin,
    }).map((w) => w.message);
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}

export function QrOptionsForm({
  design,
  onChange,
  errors = {},
}: {
  design: QrDesign;
  onChange: (next: QrDesign) => void;
  errors?: Record<string, string>;
}) {
  const set = <K extends keyof QrDesign>(key: K, value: QrDesign[K]) =>
    onChange({ ...design, [key]: value });
  const warnings = scanWarnings(design);
  return (
    <div className="stack">
      <div className="form-row">
        <SelectField
          label="Format"
          value={design.format}
          onChange={(e) => set('format', e.target.value as QrDesign['format'])}
          error={errors.format}
        >
          <option value="svg">SVG (vector, for print)</option>
          <option value="png">PNG (image)</option>
        </SelectField>
        <SelectField
          label="Error correction"
          value={design.ecc}
          onChange={(e) => set('ecc', e.target.value as QrDesign['ecc'])}
          hint="Higher levels survive damage but make a denser code."
          error={errors.ecc}
        >
          <option value="L">L: 7 %</option>
          <option value="M">M: 15 % (default)</option>
          <option value="Q">Q: 25 %</option>
          <option value="H">H: 30 %</option>
        </SelectField>
      </div>
      <div className="form-row">
        <TextField
          label="Size (pixels)"
          type="number"
          min={21}
          max={4096}
          step={1}
          value={String(design.size)}
          onChange={(e) => set('size', Number(e.target.value))}
          error={errors.size}
        />
        <TextField
          label="Quiet zone (modules)"
          type="number"
          min={0}
          max={64}
          value={String(design.margin)}
          onChange={(e) => set('margin', Number(e.target.value))}
          hint="The standard asks for 4."
          error={errors.margin}
        />
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor="qr-fg">Foreground</label>
          <div className="row">
            <input
              id="qr-fg"
              type="color"
              value={design.fg}
              onChange={(e) => set('fg', e.target.value)}
            />
            <code>{design.fg}</code>
          </div>
          {errors.fg && <span className="field-error">{errors.fg}</span>}
        </div>
        <div className="field">
          <label htmlFor="qr-bg">Background</label>
          <div className="row">
            <input
              id="qr-bg"
              type="color"
              value={design.bg}
              disabled={design.transparent}
              onChange={(e) => set('bg', e.target.value)}
            />
            <code>{design.transparent ? 'transparent' : design.bg}</code>
          </div>
          {errors.bg && <span className="field-error">{errors.bg}</span>}
        </div>
      </div>
      <CheckboxField
        label="Transparent background"
        checked={design.transparent}
        onChange={(e) => set('transparent', e.target.checked)}
      />
      {warnings.length > 0 && (
        <div className="alert alert-warning" role="status">
          <ul className="plain-list stack">
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
