import { Link } from 'react-router';
import { useBilling } from '../api/billing';
import { meters, usageWarning, type MeterId } from '../lib/usage';

/** The 80 % / 100 % warning for the limits a page's actions use, with the way to more. */
export function UsageBanner({ meters: relevant }: { meters: readonly MeterId[] }) {
  const billing = useBilling();
  if (!billing.data) return null;
  const warning = usageWarning(meters(billing.data), relevant);
  if (!warning) return null;
  return (
    <div
      className={`alert ${warning.level === 'exhausted' ? 'alert-error' : 'alert-warning'}`}
      role="status"
    >
      <span>{warning.message}</span>
      <Link to="/billing" className="btn btn-small">
        {warning.level === 'exhausted' ? 'Upgrade' : 'See plans'}
      </Link>
    </div>
  );
}
