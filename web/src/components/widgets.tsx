import { useEffect, useRef, useState, type ReactNode } from 'react';
import { formatNumber } from '../lib/format';
import { usageRatio, type Meter } from '../lib/usage';

export function CopyButton({
  text,
  label = 'Copy',
  className = 'btn btn-small',
}: {
  text: string;
  label?: string;
  className?: string;
}) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className={className}
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => setCopied('yes'),
          () => setCopied('no'),
        )
      }
    >
      <span aria-live="polite">
        {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Copy failed' : label}
      </span>
    </button>
  );
}

/** A modal dialog on the native <dialog>: focus moves in and back, Escape closes. */
export function Dialog({
  open,
  onClose,
  title,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="dialog-title">
      {open && (
        <div className="dialog-body">
          <h2 id="dialog-title">{title}</h2>
          {children}
        </div>
      )}
    </dialog>
  );
}

export function UsageMeter({ meter }: { meter: Meter }) {
  const ratio = usageRatio(meter.used, meter.limit);
  return (
    <div className={`meter meter-${meter.level}`}>
      <div className="spread small">
        <span>{meter.label}</span>
        <span className="muted">
          {formatNumber(meter.used)}{' '}
          {meter.limit === null ? '(unlimited)' : `of ${formatNumber(meter.limit)}`}
        </span>
      </div>
      {ratio !== null && (
        <progress
          max={1}
          value={ratio}
          aria-label={`${meter.label}: ${meter.used} of ${meter.limit}`}
        />
      )}
    </div>
  );
}

export function Stat({
  label,
  value,
  hint,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
}) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="small muted">{hint}</div>}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const tone =
    status === 'active' || status === 'verified'
      ? 'badge-success'
      : status === 'paused' || status === 'pending'
        ? 'badge-warning'
        : status === 'disabled' || status === 'archived' || status === 'failed'
          ? 'badge-danger'
          : '';
  return <span className={`badge ${tone}`}>{status}</span>;
}
