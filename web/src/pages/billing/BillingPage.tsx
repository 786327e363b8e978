import { useSearchParams } from 'react-router';
import { useMe } from '../../api/auth';
import {
  useBilling,
  useCheckout,
  usePlans,
  usePortal,
  type Billing,
  type Plan,
} from '../../api/billing';
import { ProblemError } from '../../api/problem';
import { ErrorState, FormError, Loading } from '../../components/states';
import { UsageMeter } from '../../components/widgets';
import { formatDate, formatNumber } from '../../lib/format';
import { meters, usageWarning } from '../../lib/usage';

const FEATURE_LABELS: Record<string, string> = {
  smartRules: 'Smart rules',
  abSplits: 'A/B splits',
  passwordLinks: 'Password-protected links',
  customDomains: 'Custom domains',
  csvExport: 'CSV export',
  liveView: 'Live scan feed',
};

const limit = (value: number | null, unit: string, singular = unit) =>
  value === null ? `Unlimited ${unit}` : `${formatNumber(value)} ${value === 1 ? singular : unit}`;

const STATUS_LABELS: Record<string, string> = {
  none: 'no subscription',
  active: 'active',
  trialing: 'trial',
  past_due: 'payment failed',
  unpaid: 'unpaid',
  canceled: 'cancelled',
  incomplete: 'awaiting payment',
};

function PlanCard({
  plan,
  current,
  canBuy,
  onBuy,
  pending,
}: {
  plan: Plan;
  current: boolean;
  canBuy: boolean;
  onBuy: () => void;
  pending: boolean;
}) {
  return (
    <li className="card stack">
      <div className="spread">
        <h3>{plan.name}</h3>
        {current && <span className="badge badge-primary">Current plan</span>}
      </div>
      <ul className="small stack plain-list">
        <li>{limit(plan.limits.linksPerMonth, 'new links a month')}</li>
        <li>{limit(plan.limits.activeQrCodes, 'active QR codes', 'active QR code')}</li>
        <li>{limit(plan.limits.customDomains, 'custom domains', 'custom domain')}</li>
        <li>{limit(plan.limits.members, 'members', 'member')}</li>
        <li>
          {plan.limits.retentionDays === null
            ? 'Analytics kept forever'
            : `Analytics kept ${formatNumber(plan.limits.retentionDays)} days`}
        </li>
        <li>{formatNumber(plan.limits.apiRequestsPerMinute)} API requests a minute</li>
        {Object.entries(plan.features).map(([feature, on]) => (
          <li key={feature} className={on ? '' : 'muted'}>
            {on ? '✓' : '✗'} {FEATURE_LABELS[feature] ?? feature}
            <span className="visually-hidden">{on ? ' included' : ' not included'}</span>
          </li>
        ))}
      </ul>
      {!current && plan.purchasable && (
        <button
          type="button"
          className="btn btn-primary"
          disabled={!canBuy || pending}
          onClick={onBuy}
          title={canBuy ? undefined : 'Only owners of the workspace can change the plan'}
        >
          Upgrade to {plan.name}
        </button>
      )}
    </li>
  );
}

function Overview({
  billing,
  isOwner,
  selfHosted,
}: {
  billing: Billing;
  isOwner: boolean;
  selfHosted: boolean;
}) {
  const portal = usePortal();
  const all = meters(billing);
  const warning = usageWarning(all, [
    'linksThisPeriod',
    'activeQrCodes',
    'customDomains',
    'members',
  ]);
  const noCustomer = portal.error instanceof ProblemError && portal.error.status === 409;
  return (
    <section className="card stack" aria-labelledby="plan-title">
      <div className="card-header">
        <div>
          <h2 id="plan-title">{billing.planName} plan</h2>
          <p>
            Status: {STATUS_LABELS[billing.status] ?? billing.status}
            {billing.currentPeriodEnd
              ? ` · ${billing.cancelAtPeriodEnd ? 'ends' : 'renews'} ${formatDate(billing.currentPeriodEnd)}`
              : ''}
          </p>
        </div>
        {isOwner && !selfHosted && (
          <button
            type="button"
            className="btn"
            disabled={portal.isPending}
            onClick={() => portal.mutate()}
          >
            Manage billing
          </button>
        )}
      </div>
      {billing.banner === 'payment_failed' && (
        <div className="alert alert-warning" role="status">
          Your last payment failed.
          {billing.graceUntil
            ? ` Paid features stay on until ${formatDate(billing.graceUntil)}.`
            : ''}{' '}
          Update your payment method under Manage billing.
        </div>
      )}
      {billing.banner === 'grace_expired' && (
        <div className="alert alert-error" role="status">
          The grace period after a failed payment has ended: paid features are paused. Your links
          keep redirecting.
        </div>
      )}
      {warning && (
        <div
          className={`alert ${warning.level === 'exhausted' ? 'alert-error' : 'alert-warning'}`}
          role="status"
        >
          {warning.message}
        </div>
      )}
      {noCustomer ? (
        <p className="small muted">There is no subscription to manage yet: pick a plan below.</p>
      ) : (
        <FormError message={portal.error?.message} />
      )}
      <div className="grid grid-2">
        {all.map((m) => (
          <UsageMeter key={m.id} meter={m} />
        ))}
      </div>
      <p className="small muted">
        Scans are never limited: a printed code keeps working whatever the plan.
      </p>
    </section>
  );
}

export default function BillingPage() {
  const me = useMe();
  const billing = useBilling();
  const plans = usePlans();
  const checkout = useCheckout();
  const [params] = useSearchParams();
  const isOwner = me.data?.workspace?.role === 'owner';
  const result = params.get('checkout');
  const selfHosted = plans.data !== undefined && !plans.data.items.some((p) => p.purchasable);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Billing</h1>
          <p>Plan, usage and payment.</p>
        </div>
      </div>
      {result === 'success' && (
        <div className="alert alert-success" role="status">
          Thank you! Your plan changes as soon as the payment is confirmed (usually within seconds).
        </div>
      )}
      {result === 'cancel' && (
        <div className="alert alert-info" role="status">
          Checkout was cancelled; nothing was charged.
        </div>
      )}
      {billing.isPending ? (
        <Loading />
      ) : billing.isError ? (
        <ErrorState error={billing.error} onRetry={() => void billing.refetch()} />
      ) : (
        <Overview billing={billing.data} isOwner={isOwner} selfHosted={selfHosted} />
      )}
      <section className="stack" aria-labelledby="plans-title">
        <h2 id="plans-title">Plans</h2>
        {selfHosted && (
          <div className="alert alert-info" role="status">
            This server runs without Stripe, so plans cannot be bought here: the operator sets each
            workspace's plan (qrlink admin on the server).
          </div>
        )}
        <FormError message={checkout.error?.message} />
        {plans.isPending ? (
          <Loading />
        ) : plans.isError ? (
          <ErrorState error={plans.error} onRetry={() => void plans.refetch()} />
        ) : (
          <ul className="grid grid-3 plain-list">
            {plans.data.items.map((plan) => (
              <PlanCard
                key={plan.id}
                plan={plan}
                current={plan.id === billing.data?.plan}
                canBuy={isOwner}
                pending={checkout.isPending}
                onBuy={() => checkout.mutate(plan.id)}
              />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
