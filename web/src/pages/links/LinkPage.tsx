import { useState } from 'react';
import { Link as RouterLink, useNavigate, useParams, useSearchParams } from 'react-router';
import { useArchiveLink, useCreateLink, useLink, useUpdateLink, type Link } from '../../api/links';
import { ErrorState, Loading } from '../../components/states';
import { UsageBanner } from '../../components/UsageBanner';
import { CopyButton, Dialog, StatusBadge } from '../../components/widgets';
import { formatDateTime, formatNumber } from '../../lib/format';
import { LinkForm } from './LinkForm';
import { QrDesigner } from './QrDesigner';
import { RuleBuilder } from './RuleBuilder';
import { Simulator } from './Simulator';

const TABS = [
  { id: 'settings', label: 'Settings' },
  { id: 'rules', label: 'Smart rules' },
  { id: 'qr', label: 'QR code' },
] as const;

function NewLink() {
  const create = useCreateLink();
  const navigate = useNavigate();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>New link</h1>
          <p>A short link and its dynamic QR code.</p>
        </div>
      </div>
      <UsageBanner meters={['linksThisPeriod', 'activeQrCodes']} />
      <LinkForm
        pending={create.isPending}
        error={create.error}
        onCreate={(input) =>
          create.mutate(input, { onSuccess: (link) => void navigate(`/links/${link.id}?tab=qr`) })
        }
      />
    </>
  );
}

function ArchiveButton({ link }: { link: Link }) {
  const archive = useArchiveLink();
  const [confirming, setConfirming] = useState(false);
  if (link.archivedAt) return null;
  return (
    <>
      <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
        Archive
      </button>
      <Dialog open={confirming} onClose={() => setConfirming(false)} title="Archive this link?">
        <p>
          <span className="mono break">{link.shortUrl}</span> stops redirecting, and printed QR
          codes that point at it stop working. Its code and analytics are kept.
        </p>
        {archive.error && <p className="field-error">{archive.error.message}</p>}
        <div className="row row-end">
          <button type="button" className="btn" onClick={() => setConfirming(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger-solid"
            disabled={archive.isPending}
            onClick={() => archive.mutate(link.id, { onSuccess: () => setConfirming(false) })}
          >
            Archive link
          </button>
        </div>
      </Dialog>
    </>
  );
}

function ExistingLink({ linkId }: { linkId: string }) {
  const link = useLink(linkId);
  const update = useUpdateLink();
  const [params] = useSearchParams();
  const tab = TABS.find((t) => t.id === params.get('tab'))?.id ?? 'settings';
  const [rulesDirty, setRulesDirty] = useState(false);
  if (link.isPending) return <Loading label="Loading link…" />;
  if (link.isError) return <ErrorState error={link.error} onRetry={() => void link.refetch()} />;
  const data = link.data;
  return (
    <>
      <div className="page-header">
        <div className="stack">
          <p className="small">
            <RouterLink to="/links">← Links</RouterLink>
          </p>
          <h1 className="break">{data.title ?? data.shortUrl.replace(/^https?:\/\//, '')}</h1>
          <div className="row">
            <a
              href={data.shortUrl}
              target="_blank"
              rel="noreferrer noopener"
              className="mono break"
            >
              {data.shortUrl}
            </a>
            <CopyButton text={data.shortUrl} />
            <StatusBadge status={data.archivedAt ? 'archived' : data.status} />
          </div>
          <p className="small muted">
            {formatNumber(data.scans)} scans · created {formatDateTime(data.createdAt)}
          </p>
        </div>
        <div className="page-actions">
          <RouterLink to={`/analytics?linkId=${data.id}`} className="btn">
            Analytics
          </RouterLink>
          <ArchiveButton link={data} />
        </div>
      </div>
      {data.archivedAt && (
        <div className="alert alert-info" role="status">
          This link was archived on {formatDateTime(data.archivedAt)}: it no longer redirects.
        </div>
      )}
      <nav className="tabs" aria-label="Link sections">
        {TABS.map((t) => (
          <RouterLink
            key={t.id}
            to={`?tab=${t.id}`}
            replace
            aria-current={tab === t.id ? 'page' : undefined}
          >
            {t.label}
          </RouterLink>
        ))}
      </nav>
      {tab === 'settings' && (
        <>
          {update.isSuccess && (
            <div className="alert alert-success" role="status">
              Saved. Every redirect server uses the change within a second.
            </div>
          )}
          <LinkForm
            link={data}
            pending={update.isPending}
            error={update.error}
            onUpdate={(changes) => update.mutate({ linkId: data.id, changes })}
          />
        </>
      )}
      {tab === 'rules' && (
        <div className="grid grid-main-side">
          <RuleBuilder link={data} onDirtyChange={setRulesDirty} />
          <div>
            <Simulator link={data} dirty={rulesDirty} />
          </div>
        </div>
      )}
      {tab === 'qr' && <QrDesigner link={data} />}
    </>
  );
}

export default function LinkPage() {
  const { linkId } = useParams();
  if (!linkId || linkId === 'new') return <NewLink />;
  return <ExistingLink key={linkId} linkId={linkId} />;
}
