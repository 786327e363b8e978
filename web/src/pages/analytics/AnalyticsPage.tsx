import { Download } from 'lucide-react';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  useAnalytics,
  useExportScans,
  useLiveScans,
  type Analytics,
  type AnalyticsQuery,
  type Breakdown,
  type LiveScan,
} from '../../api/analytics';
import { useBilling } from '../../api/billing';
import { useDomains } from '../../api/domains';
import { useLink } from '../../api/links';
import { SelectField, TextField } from '../../components/fields';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/states';
import { Dialog, Stat } from '../../components/widgets';
import {
  breakdownLabel,
  presetRange,
  RANGE_PRESETS,
  type Dimension,
  type RangePreset,
} from '../../lib/breakdown';
import { downloadBlob } from '../../lib/download';
import {
  browserTimeZone,
  countryName,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatRelative,
  timeZones,
} from '../../lib/format';
import { TimeSeriesChart } from './TimeSeriesChart';

const WorldMap = lazy(() => import('./WorldMap'));

const BREAKDOWNS: { dimension: Dimension; title: string }[] = [
  { dimension: 'device', title: 'Devices' },
  { dimension: 'os', title: 'Operating systems' },
  { dimension: 'browser', title: 'Browsers' },
  { dimension: 'referrer', title: 'Referrers' },
  { dimension: 'language', title: 'Languages' },
  { dimension: 'via', title: 'QR code vs link' },
  { dimension: 'variant', title: 'Rules and A/B variants' },
  { dimension: 'class', title: 'Traffic class' },
];

function BreakdownTable({
  title,
  dimension,
  entries,
  caption,
  bare = false,
}: {
  title: string;
  dimension: Dimension;
  entries: Breakdown;
  caption?: string;
  bare?: boolean;
}) {
  const total = entries.reduce((sum, e) => sum + e.total, 0);
  const max = Math.max(1, ...entries.map((e) => e.total));
  return (
    <section className={bare ? 'stack' : 'card stack'} aria-label={title}>
      {!bare && <h2>{title}</h2>}
      {entries.length === 0 ? (
        <p className="muted small">No scans in this range.</p>
      ) : (
        <table>
          <caption className="visually-hidden">{caption ?? title}</caption>
          <thead>
            <tr>
              <th scope="col">{title}</th>
              <th scope="col" className="num">
                Scans
              </th>
              <th scope="col" className="num">
                Humans
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.key}>
                <td className="bar-cell">
                  <span className="break">{breakdownLabel(dimension, entry.key)}</span>
                  <div
                    className="bar"
                    aria-hidden="true"
                    style={{ width: `${Math.round((entry.total / max) * 100)}%` }}
                  />
                </td>
                <td className="num">
                  {formatNumber(entry.total)}{' '}
                  <span className="muted small">{formatPercent(entry.total, total)}</span>
                </td>
                <td className="num">{formatNumber(entry.human)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function MethodDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="How qrlink counts scans">
      <div className="stack small">
        <p>
          <strong>Scans</strong>: every request answered for a short link (redirects, and expired,
          paused or limit pages). Links set not to count scans record nothing.
        </p>
        <p>
          <strong>Humans</strong> and <strong>bots</strong>: each scan is classed as human, bot
          (crawlers and HTTP tools), link preview (chat apps, mail scanners), prefetch or HEAD
          request. Bots are everything that is not human, so humans + bots = scans.
        </p>
        <p>
          <strong>Unique visitors</strong>: distinct human visitors per link per UTC day, from a
          keyed hash of address and browser whose key changes every day and is never stored.
          Visitors sending Do Not Track or Global Privacy Control count as scans, never as unique.
        </p>
        <p>
          <strong>QR vs link</strong>: qrlink's own QR codes carry a marker, so a scan of the
          printed code and a click on the link are told apart.
        </p>
        <p>
          No IP address and no full user agent is ever stored. Breakdowns cover whole UTC days; the
          time series uses the time zone you choose.
        </p>
      </div>
      <div className="row row-end">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

function LiveFeed({ linkId }: { linkId: string | undefined }) {
  const live = useLiveScans(true);
  const scans = linkId ? live.scans.filter((s: LiveScan) => s.linkId === linkId) : live.scans;
  const statusText = {
    connecting: 'Connecting…',
    open: 'Live',
    closed: 'Reconnecting…',
    unavailable: 'Unavailable',
  }[live.status];
  return (
    <section className="card stack" aria-labelledby="live-title">
      <div className="card-header">
        <h2 id="live-title">Live scans</h2>
        <span className="small">
          <span
            className={`live-dot${live.status === 'open' ? ' live-dot-open' : ''}`}
            aria-hidden="true"
          />
          {statusText}
        </span>
      </div>
      {live.detail && <p className="small muted">{live.detail}</p>}
      <ul className="feed" aria-live="polite" aria-label="Scans as they arrive">
        {scans.length === 0 && (
          <li className="muted">
            Waiting for scans. Open one of your short links to see it here within a second.
          </li>
        )}
        {scans.map((scan) => (
          <li key={scan.id}>
            <span>
              <strong>{scan.via === 'qr' ? 'QR scan' : 'Link click'}</strong>
              {scan.bot && <span className="badge">bot</span>}{' '}
              {scan.country ? countryName(scan.country) : 'Unknown country'} ·{' '}
              {scan.os ?? scan.device ?? 'unknown device'}
              {scan.referrer ? ` · from ${scan.referrer}` : ''}
            </span>
            <time dateTime={scan.time} className="muted small" title={formatDateTime(scan.time)}>
              {formatRelative(scan.time)}
            </time>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Countries({ data }: { data: Analytics }) {
  const counts = useMemo(
    () => new Map(data.breakdowns.country.filter((e) => e.key).map((e) => [e.key, e.total])),
    [data],
  );
  return (
    <section className="card stack" aria-labelledby="countries-title">
      <h2 id="countries-title">Countries</h2>
      <div className="grid grid-main-side">
        <Suspense fallback={<Loading label="Loading map…" />}>
          <WorldMap counts={counts} />
        </Suspense>
        <BreakdownTable
          title="Country"
          dimension="country"
          entries={data.breakdowns.country}
          caption="Scans by country"
          bare
        />
      </div>
    </section>
  );
}

export default function AnalyticsPage() {
  const [params, setParams] = useSearchParams();
  const [methodOpen, setMethodOpen] = useState(false);
  const preset = (params.get('range') as RangePreset | null) ?? '30d';
  const tz = params.get('tz') ?? browserTimeZone();
  const linkId = params.get('linkId') ?? undefined;
  const tag = params.get('tag') ?? '';
  const domain = params.get('domain') ?? '';
  const via = params.get('via') ?? '';
  const [now] = useState(() => new Date());
  const range = presetRange(RANGE_PRESETS[preset] ? preset : '30d', now);
  const interval = (params.get('interval') as AnalyticsQuery['interval'] | null) ?? range.interval;
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name === 'range') next.delete('interval');
    setParams(next, { replace: true });
  };
  const query: AnalyticsQuery = {
    from: range.from,
    to: range.to,
    interval,
    tz,
    top: 20,
    ...(linkId ? { linkId } : {}),
    ...(tag ? { tag } : {}),
    ...(domain ? { domain } : {}),
    ...(via === 'qr' || via === 'link' ? { via } : {}),
  };
  const analytics = useAnalytics(query);
  const link = useLink(linkId ?? '', { enabled: linkId !== undefined });
  const domains = useDomains();
  const billing = useBilling();
  const exportScans = useExportScans();
  const zones = useMemo(() => timeZones(), []);
  const scope = linkId
    ? link.data
      ? (link.data.title ?? link.data.shortUrl)
      : 'one link'
    : tag
      ? `tag “${tag}”`
      : 'the whole workspace';
  const canExport = billing.data?.features.csvExport !== false;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Analytics</h1>
          <p>
            Scans of {scope}.{' '}
            <button type="button" className="btn-link" onClick={() => setMethodOpen(true)}>
              How we count
            </button>
          </p>
        </div>
        <div className="page-actions">
          <button
            type="button"
            className="btn"
            disabled={exportScans.isPending || !canExport}
            title={canExport ? undefined : 'CSV export is part of paid plans'}
            onClick={() =>
              exportScans.mutate(
                { from: range.from, to: range.to, ...(linkId ? { linkId } : {}) },
                {
                  onSuccess: (blob) =>
                    downloadBlob(blob, `qrlink-scans-${range.from.slice(0, 10)}.csv`),
                },
              )
            }
          >
            <Download size={16} aria-hidden="true" /> Export CSV
          </button>
        </div>
      </div>
      {!canExport && (
        <p className="small muted">
          CSV export of raw scans is part of paid plans. <Link to="/billing">See plans</Link>
        </p>
      )}
      <FormError message={exportScans.error?.message} />
      <div className="card">
        <div className="toolbar">
          <SelectField label="Range" value={preset} onChange={(e) => set('range', e.target.value)}>
            {Object.entries(RANGE_PRESETS).map(([id, p]) => (
              <option key={id} value={id}>
                {p.label}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Interval"
            value={interval}
            onChange={(e) => set('interval', e.target.value)}
          >
            <option value="hour">Hour</option>
            <option value="day">Day</option>
            <option value="week">Week</option>
            <option value="month">Month</option>
          </SelectField>
          <SelectField label="Time zone" value={tz} onChange={(e) => set('tz', e.target.value)}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Tag"
            value={tag}
            disabled={Boolean(linkId)}
            onChange={(e) => set('tag', e.target.value.trim())}
          />
          <SelectField
            label="Domain"
            value={domain}
            onChange={(e) => set('domain', e.target.value)}
          >
            <option value="">Any domain</option>
            {domains.data?.items.map((d) => (
              <option key={d.id} value={d.host}>
                {d.host}
              </option>
            ))}
          </SelectField>
          <SelectField label="Source" value={via} onChange={(e) => set('via', e.target.value)}>
            <option value="">QR and link</option>
            <option value="qr">QR code scans</option>
            <option value="link">Link clicks</option>
          </SelectField>
          {linkId && (
            <button type="button" className="btn" onClick={() => set('linkId', '')}>
              Whole workspace
            </button>
          )}
        </div>
      </div>
      {analytics.isPending ? (
        <Loading label="Loading analytics…" />
      ) : analytics.isError ? (
        <div className="card">
          <ErrorState error={analytics.error} onRetry={() => void analytics.refetch()} />
        </div>
      ) : (
        <>
          <div className="stats" aria-busy={analytics.isFetching}>
            <Stat label="Scans" value={formatNumber(analytics.data.totals.total)} />
            <Stat
              label="Unique visitors"
              value={formatNumber(analytics.data.totals.unique)}
              hint="per link per day"
            />
            <Stat
              label="Humans"
              value={formatNumber(analytics.data.totals.human)}
              hint={formatPercent(analytics.data.totals.human, analytics.data.totals.total)}
            />
            <Stat
              label="Bots"
              value={formatNumber(analytics.data.totals.bot)}
              hint={formatPercent(analytics.data.totals.bot, analytics.data.totals.total)}
            />
            <Stat
              label="QR code scans"
              value={formatNumber(analytics.data.totals.qr)}
              hint={`${formatNumber(analytics.data.totals.link)} link clicks`}
            />
          </div>
          <div className="grid grid-main-side">
            <section className="card stack" aria-labelledby="series-title">
              <h2 id="series-title">Over time</h2>
              {analytics.data.totals.total === 0 ? (
                <EmptyState title="No scans in this range">
                  Share a short link or print its QR code: scans appear here and in the live feed.
                </EmptyState>
              ) : (
                <TimeSeriesChart data={analytics.data} />
              )}
            </section>
            <LiveFeed linkId={linkId} />
          </div>
          <Countries data={analytics.data} />
          <div className="grid grid-2">
            {BREAKDOWNS.map((b) => (
              <BreakdownTable
                key={b.dimension}
                title={b.title}
                dimension={b.dimension}
                entries={analytics.data.breakdowns[b.dimension]}
              />
            ))}
          </div>
        </>
      )}
      <MethodDialog open={methodOpen} onClose={() => setMethodOpen(false)} />
    </>
  );
}
