import { Download } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { useAnalytics } from '../../api/analytics';
import { useMe } from '../../api/auth';
import {
  useCreateLink,
  useLinkQr,
  useLinks,
  useQrDownload,
  type Link as ShortLink,
} from '../../api/links';
import { formErrors } from '../../api/problem';
import { TextField } from '../../components/fields';
import { QrImage } from '../../components/QrImage';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/states';
import { UsageBanner } from '../../components/UsageBanner';
import { CopyButton, Stat } from '../../components/widgets';
import { downloadBlob, fileSlug } from '../../lib/download';
import { browserTimeZone, formatNumber, formatRelative, startOfDay } from '../../lib/format';

function CreatedLink({ link }: { link: ShortLink }) {
  const qr = useLinkQr(link.id, { format: 'svg', size: 320 });
  const download = useQrDownload();
  const save = (format: 'svg' | 'png') =>
    download.mutate(
      { linkId: link.id, options: { format, size: 1024 } },
      { onSuccess: (blob) => downloadBlob(blob, `${fileSlug(link.title ?? link.code)}.${format}`) },
    );
  return (
    <section className="card" aria-labelledby="created-title">
      <div className="grid grid-main-side">
        <div className="stack">
          <h2 id="created-title">Your link is ready</h2>
          <p className="short-url">
            <a href={link.shortUrl} target="_blank" rel="noreferrer noopener">
              {link.shortUrl}
            </a>
          </p>
          <p className="muted small break">→ {link.url}</p>
          <div className="row">
            <CopyButton text={link.shortUrl} label="Copy link" className="btn" />
            <button
              type="button"
              className="btn"
              onClick={() => save('svg')}
              disabled={download.isPending}
            >
              <Download size={16} aria-hidden="true" /> SVG
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => save('png')}
              disabled={download.isPending}
            >
              <Download size={16} aria-hidden="true" /> PNG
            </button>
            <Link to={`/links/${link.id}?tab=qr`} className="btn btn-ghost">
              Design QR code
            </Link>
            <Link to={`/links/${link.id}`} className="btn btn-ghost">
              Edit link
            </Link>
          </div>
          <FormError message={download.error?.message} />
        </div>
        {qr.isError ? (
          <ErrorState error={qr.error} />
        ) : (
          <QrImage blob={qr.data} alt={`QR code for ${link.shortUrl}`} />
        )}
      </div>
    </section>
  );
}

function QuickCreate() {
  const create = useCreateLink();
  const [url, setUrl] = useState('');
  // The last link made stays on screen while the next one is typed (or fails).
  const [created, setCreated] = useState<ShortLink | null>(null);
  const errors = formErrors(create.error, ['url']);
  return (
    <div className="stack-lg">
      <section className="card" aria-labelledby="quick-title">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(
              { url: url.trim() },
              {
                onSuccess: (link) => {
                  setUrl('');
                  setCreated(link);
                },
              },
            );
          }}
        >
          <div className="stack">
            <h2 id="quick-title">Paste a URL, get a QR code</h2>
            <p className="muted small">
              A short link and its dynamic QR code: change the destination any time, the printed
              code keeps working.
            </p>
          </div>
          <FormError message={errors.summary} />
          <div className="row">
            <TextField
              label="Destination URL"
              className="field-grow"
              type="url"
              inputMode="url"
              placeholder="https://example.com/menu"
              required
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              error={errors.fields.url}
            />
          </div>
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create link and QR code'}
            </button>
            <Link to="/links/new" className="btn btn-ghost">
              More options
            </Link>
          </div>
        </form>
      </section>
      {created && <CreatedLink link={created} />}
    </div>
  );
}

function TodayScans() {
  const [timeZone] = useState(browserTimeZone);
  const [from] = useState(() => startOfDay(timeZone));
  const today = useAnalytics({ from, interval: 'hour', tz: timeZone, top: 1 });
  return (
    <section className="card" aria-labelledby="today-title">
      <div className="card-header">
        <h2 id="today-title">Today's scans</h2>
        <Link to="/analytics" className="small">
          Analytics
        </Link>
      </div>
      {today.isPending ? (
        <Loading />
      ) : today.isError ? (
        <ErrorState error={today.error} onRetry={() => void today.refetch()} />
      ) : (
        <div className="stats">
          <Stat label="Scans" value={formatNumber(today.data.totals.total)} />
          <Stat label="Humans" value={formatNumber(today.data.totals.human)} />
          <Stat label="Unique visitors" value={formatNumber(today.data.totals.unique)} />
          <Stat label="Via QR code" value={formatNumber(today.data.totals.qr)} />
        </div>
      )}
    </section>
  );
}

function RecentLinks() {
  const links = useLinks({ limit: 5 });
  return (
    <section className="card" aria-labelledby="recent-title">
      <div className="card-header">
        <h2 id="recent-title">Recent links</h2>
        <Link to="/links" className="small">
          All links
        </Link>
      </div>
      {links.isPending ? (
        <Loading />
      ) : links.isError ? (
        <ErrorState error={links.error} onRetry={() => void links.refetch()} />
      ) : links.data.items.length === 0 ? (
        <EmptyState title="No links yet">
          Your first link appears here as soon as you create it.
        </EmptyState>
      ) : (
        <ul className="feed">
          {links.data.items.map((link) => (
            <li key={link.id}>
              <div className="link-cell">
                <Link to={`/links/${link.id}`} className="truncate">
                  {link.title ?? link.shortUrl.replace(/^https?:\/\//, '')}
                </Link>
                <span className="muted small truncate">{link.url}</span>
              </div>
              <div className="stack small muted num">
                <span>{formatNumber(link.scans)} scans</span>
                <span>{formatRelative(link.createdAt)}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function HomePage() {
  const me = useMe();
  const name = me.data?.user.name;
  return (
    <>
      <div className="page-header">
        <div>
          <h1>{name ? `Welcome, ${name}` : 'Welcome'}</h1>
          <p>{me.data?.workspace?.name}</p>
        </div>
      </div>
      <UsageBanner meters={['linksThisPeriod', 'activeQrCodes']} />
      <QuickCreate />
      <div className="grid grid-2">
        <TodayScans />
        <RecentLinks />
      </div>
    </>
  );
}
