import { useState } from 'react';
import {
  useAddDomain,
  useDomains,
  useRemoveDomain,
  useUpdateDomain,
  useVerifyDomain,
  type Domain,
} from '../../api/domains';
import { formErrors } from '../../api/problem';
import { TextField } from '../../components/fields';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/states';
import { UsageBanner } from '../../components/UsageBanner';
import { CopyButton, Dialog, StatusBadge } from '../../components/widgets';
import { formatDateTime, formatRelative } from '../../lib/format';
import { PlanLimitHint } from '../links/LinkForm';

function AddDomain() {
  const add = useAddDomain();
  const [host, setHost] = useState('');
  const errors = formErrors(add.error, ['host', 'rootUrl', 'notFoundUrl']);
  return (
    <section className="card stack" aria-labelledby="add-domain">
      <h2 id="add-domain">Add a domain</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ host: host.trim().toLowerCase() }, { onSuccess: () => setHost('') });
        }}
      >
        <FormError message={errors.summary} />
        <PlanLimitHint error={add.error} />
        <div className="row">
          <TextField
            label="Host name"
            className="field-grow"
            placeholder="go.example.com"
            value={host}
            required
            maxLength={253}
            onChange={(e) => setHost(e.target.value)}
            hint="A host name only, without https:// or a path. Point it at this server (CNAME or A record), then verify it below."
            error={errors.fields.host}
          />
        </div>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={add.isPending}>
            Add domain
          </button>
        </div>
      </form>
    </section>
  );
}

function DomainSettings({ domain, onClose }: { domain: Domain; onClose: () => void }) {
  const update = useUpdateDomain();
  const [rootUrl, setRootUrl] = useState(domain.rootUrl ?? '');
  const [notFoundUrl, setNotFoundUrl] = useState(domain.notFoundUrl ?? '');
  const errors = formErrors(update.error, ['rootUrl', 'notFoundUrl']);
  return (
    <Dialog open title={`Settings of ${domain.host}`} onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate(
            {
              domainId: domain.id,
              changes: { rootUrl: rootUrl.trim() || null, notFoundUrl: notFoundUrl.trim() || null },
            },
            { onSuccess: onClose },
          );
        }}
      >
        <FormError message={errors.summary} />
        <TextField
          label="Root URL"
          type="url"
          value={rootUrl}
          onChange={(e) => setRootUrl(e.target.value)}
          hint={`Where https://${domain.host}/ sends visitors.`}
          error={errors.fields.rootUrl}
        />
        <TextField
          label="Not-found URL"
          type="url"
          value={notFoundUrl}
          onChange={(e) => setNotFoundUrl(e.target.value)}
          hint="Where unknown codes on this domain send visitors."
          error={errors.fields.notFoundUrl}
        />
        <div className="row row-end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={update.isPending}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DomainCard({ domain }: { domain: Domain }) {
  const verify = useVerifyDomain();
  const remove = useRemoveDomain();
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState(false);
  const active = domain.status === 'active';
  return (
    <li className="card stack">
      <div className="spread">
        <div className="row">
          <h3 className="break">{domain.host}</h3>
          <StatusBadge status={domain.status} />
        </div>
        <div className="row">
          <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
            Settings
          </button>
          <button
            type="button"
            className="btn btn-small btn-danger"
            onClick={() => setRemoving(true)}
          >
            Remove
          </button>
        </div>
      </div>
      {active ? (
        <p className="small muted">
          Verified {domain.verifiedAt ? formatDateTime(domain.verifiedAt) : ''}. Links on this
          domain are live.
        </p>
      ) : (
        <div className="stack">
          <p className="small">
            To prove you control this domain, add this DNS TXT record at your DNS provider, then
            check it:
          </p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Type</th>
                  <th>Name</th>
                  <th>Value</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <td>{domain.verification.type}</td>
                  <td>
                    <div className="row">
                      <code className="break">{domain.verification.name}</code>
                      <CopyButton text={domain.verification.name} label="Copy name" />
                    </div>
                  </td>
                  <td>
                    <div className="row">
                      <code className="break">{domain.verification.value}</code>
                      <CopyButton text={domain.verification.value} label="Copy value" />
                    </div>
                  </td>
                </tr>
              </tbody>
            </table>
          </div>
          <div className="row">
            <button
              type="button"
              className="btn btn-primary btn-small"
              disabled={verify.isPending}
              onClick={() => verify.mutate(domain.id)}
            >
              {verify.isPending ? 'Checking DNS…' : 'Verify now'}
            </button>
            <span className="small muted" aria-live="polite">
              {domain.checkedAt
                ? `Last checked ${formatRelative(domain.checkedAt)}: record not found yet. DNS changes can take a while.`
                : 'Not checked yet.'}
            </span>
          </div>
          <FormError message={verify.error?.message} />
        </div>
      )}
      {editing && <DomainSettings domain={domain} onClose={() => setEditing(false)} />}
      <Dialog open={removing} onClose={() => setRemoving(false)} title={`Remove ${domain.host}?`}>
        <p>Links on this domain stop working. This cannot be undone.</p>
        <FormError message={remove.error?.message} />
        <div className="row row-end">
          <button type="button" className="btn" onClick={() => setRemoving(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger-solid"
            disabled={remove.isPending}
            onClick={() => remove.mutate(domain.id)}
          >
            Remove domain
          </button>
        </div>
      </Dialog>
    </li>
  );
}

export default function DomainsPage() {
  const domains = useDomains();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Domains</h1>
          <p>Serve short links on your own domain, such as go.example.com.</p>
        </div>
      </div>
      <UsageBanner meters={['customDomains']} />
      <AddDomain />
      {domains.isPending ? (
        <Loading />
      ) : domains.isError ? (
        <ErrorState error={domains.error} onRetry={() => void domains.refetch()} />
      ) : domains.data.items.length === 0 ? (
        <div className="card">
          <EmptyState title="No custom domains">
            Links use this server's own domain until you add one.
          </EmptyState>
        </div>
      ) : (
        <ul className="plain-list stack">
          {domains.data.items.map((d) => (
            <DomainCard key={d.id} domain={d} />
          ))}
        </ul>
      )}
    </>
  );
}
