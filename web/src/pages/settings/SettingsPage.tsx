import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMe } from '../../api/auth';
import { formErrors } from '../../api/problem';
import {
  SCOPES,
  useApiKeys,
  useAuditLog,
  useCreateApiKey,
  useRevokeApiKey,
  type NewApiKey,
  type Scope,
} from '../../api/settings';
import {
  useCreateWorkspace,
  useDeleteWorkspace,
  useUpdateWorkspace,
  useWorkspaces,
} from '../../api/workspaces';
import { CheckboxField, CheckboxGroup, SelectField, TextField } from '../../components/fields';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/states';
import { CopyButton, Dialog } from '../../components/widgets';
import { formatDateTime, formatRelative } from '../../lib/format';

const SCOPE_HELP: Record<Scope, string> = {
  'links:read': 'read links',
  'links:write': 'create and change links',
  'analytics:read': 'read analytics',
  'domains:write': 'manage domains',
  'billing:read': 'read plan and usage',
  'workspace:admin': 'manage members and keys',
};

function WorkspaceSection() {
  const me = useMe();
  const workspace = me.data?.workspace;
  const workspaces = useWorkspaces();
  const current = workspaces.data?.items.find((w) => w.id === workspace?.id);
  const update = useUpdateWorkspace(workspace?.id ?? '');
  const remove = useDeleteWorkspace(workspace?.id ?? '');
  const create = useCreateWorkspace();
  const navigate = useNavigate();
  const [name, setName] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [deleting, setDeleting] = useState(false);
  const [confirmName, setConfirmName] = useState('');
  const errors = formErrors(update.error, ['name', 'track']);
  const createErrors = formErrors(create.error, ['name']);
  if (!workspace) return null;
  const isOwner = workspace.role === 'owner';
  const canAdmin = isOwner || workspace.role === 'admin';
  return (
    <section className="card stack" aria-labelledby="workspace-title" id="workspace">
      <h2 id="workspace-title">Workspace</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name !== null && name.trim())
            update.mutate({ name: name.trim() }, { onSuccess: () => setName(null) });
        }}
      >
        <FormError message={errors.summary} />
        <div className="row">
          <TextField
            label="Name"
            className="field-grow"
            maxLength={100}
            disabled={!canAdmin}
            value={name ?? workspace.name}
            onChange={(e) => setName(e.target.value)}
            error={errors.fields.name}
          />
        </div>
        {canAdmin && (
          <div className="row">
            <button type="submit" className="btn" disabled={name === null || update.isPending}>
              Rename
            </button>
          </div>
        )}
      </form>
      {current && (
        <CheckboxField
          label="Count scans in this workspace"
          checked={current.track}
          disabled={!canAdmin || update.isPending}
          onChange={(e) => update.mutate({ track: e.target.checked })}
          hint="Off: links still redirect, and no scan of any link in the workspace is recorded."
        />
      )}
      <details className="section">
        <summary>Create another workspace</summary>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(newName.trim(), { onSuccess: () => void navigate('/') });
          }}
        >
          <FormError message={createErrors.summary} />
          <TextField
            label="Workspace name"
            maxLength={100}
            required
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
            error={createErrors.fields.name}
          />
          <div className="row">
            <button type="submit" className="btn" disabled={create.isPending}>
              Create workspace
            </button>
          </div>
        </form>
      </details>
      {isOwner && (
        <div className="stack">
          <h3>Danger zone</h3>
          <div className="row">
            <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>
              Delete workspace
            </button>
          </div>
          <Dialog
            open={deleting}
            onClose={() => setDeleting(false)}
            title={`Delete ${workspace.name}?`}
          >
            <p>
              All its links stop redirecting, printed QR codes stop working, and its analytics are
              deleted. This cannot be undone.
            </p>
            <TextField
              label={`Type the workspace name to confirm`}
              value={confirmName}
              onChange={(e) => setConfirmName(e.target.value)}
            />
            <FormError message={remove.error?.message} />
            <div className="row row-end">
              <button type="button" className="btn" onClick={() => setDeleting(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="btn btn-danger-solid"
                disabled={confirmName !== workspace.name || remove.isPending}
                onClick={() => remove.mutate(undefined, { onSuccess: () => void navigate('/') })}
              >
                Delete workspace
              </button>
            </div>
          </Dialog>
        </div>
      )}
    </section>
  );
}

function NewKeyDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['links:read', 'links:write', 'analytics:read']);
  const [mode, setMode] = useState<'live' | 'test'>('live');
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const errors = formErrors(create.error, ['name', 'scopes', 'mode']);
  if (created) {
    return (
      <Dialog open title="Your new API key" onClose={onClose}>
        <div className="alert alert-warning" role="status">
          Copy the key now: it is shown only once. qrlink keeps only a hash of it.
        </div>
        <code className="secret">{created.key}</code>
        <div className="row row-end">
          <CopyButton text={created.key} label="Copy key" className="btn" />
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog open title="Create an API key" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), scopes, mode }, { onSuccess: setCreated });
        }}
      >
        <FormError message={errors.summary} />
        <TextField
          label="Name"
          required
          maxLength={100}
          placeholder="Zapier, CI, …"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name}
        />
        <CheckboxGroup
          legend="Scopes"
          options={SCOPES}
          labels={Object.fromEntries(SCOPES.map((s) => [s, `${s} (${SCOPE_HELP[s]})`]))}
          value={scopes}
          onChange={setScopes}
          error={errors.fields.scopes}
        />
        <SelectField
          label="Mode"
          value={mode}
          onChange={(e) => setMode(e.target.value as 'live' | 'test')}
          error={errors.fields.mode}
        >
          <option value="live">Live</option>
          <option value="test">Test</option>
        </SelectField>
        <div className="row row-end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={create.isPending || scopes.length === 0}
          >
            Create key
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ApiKeysSection() {
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  return (
    <section className="card stack" aria-labelledby="keys-title" id="api-keys">
      <div className="card-header">
        <div>
          <h2 id="keys-title">API keys</h2>
          <p>Everything the dashboard does, the API does too: see /api/v1/docs on this server.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          Create API key
        </button>
      </div>
      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.items.length === 0 ? (
        <EmptyState title="No API keys">
          Create a key to use qrlink from scripts and other tools.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Scopes</th>
                <th>Last used</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <tr key={key.id}>
                  <td className="break">{key.name}</td>
                  <td className="mono small">
                    qrl_{key.mode}_…{key.last4}
                  </td>
                  <td>
                    <div className="tags">
                      {key.scopes.map((s) => (
                        <span key={s} className="tag">
                          {s}
                        </span>
                      ))}
                    </div>
                  </td>
                  <td className="small">
                    {key.lastUsedAt ? formatRelative(key.lastUsedAt) : 'Never'}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => setRevoking(key.id)}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && <NewKeyDialog onClose={() => setCreating(false)} />}
      <Dialog open={revoking !== null} onClose={() => setRevoking(null)} title="Revoke this key?">
        <p>Requests with it fail at once, and open live streams on it close.</p>
        <FormError message={revoke.error?.message} />
        <div className="row row-end">
          <button type="button" className="btn" onClick={() => setRevoking(null)}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger-solid"
            disabled={revoke.isPending}
            onClick={() =>
              revoking && revoke.mutate(revoking, { onSuccess: () => setRevoking(null) })
            }
          >
            Revoke key
          </button>
        </div>
      </Dialog>
    </section>
  );
}

function AuditSection() {
  const audit = useAuditLog();
  return (
    <section className="card stack" aria-labelledby="audit-title" id="audit-log">
      <h2 id="audit-title">Audit log</h2>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
      ) : audit.data.pages[0]?.items.length === 0 ? (
        <EmptyState title="Nothing recorded yet">
          Sign-ins, key changes, member changes and billing events appear here.
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Event</th>
                  <th>By</th>
                  <th>Target</th>
                  <th>Network</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.pages
                  .flatMap((p) => p.items)
                  .map((entry) => (
                    <tr key={entry.id}>
                      <td className="small">{formatDateTime(entry.createdAt)}</td>
                      <td className="mono small">{entry.action}</td>
                      <td className="mono small">
                        {entry.actorKeyId ?? entry.actorUserId ?? 'system'}
                      </td>
                      <td className="mono small break">
                        {entry.targetType ? `${entry.targetType} ${entry.targetId ?? ''}` : ''}
                      </td>
                      <td className="mono small">{entry.ipNetwork ?? ''}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          {audit.hasNextPage && (
            <button
              type="button"
              className="btn"
              disabled={audit.isFetchingNextPage}
              onClick={() => void audit.fetchNextPage()}
            >
              Show older events
            </button>
          )}
        </>
      )}
    </section>
  );
}

export default function SettingsPage() {
  const me = useMe();
  const role = me.data?.workspace?.role;
  const canAdmin = role === 'owner' || role === 'admin';
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Settings</h1>
          <p>Workspace, API keys and the audit log.</p>
        </div>
      </div>
      <WorkspaceSection />
      {canAdmin ? (
        <>
          <ApiKeysSection />
          <AuditSection />
        </>
      ) : (
        <div className="card">
          <EmptyState title="API keys and the audit log">
            Only owners and admins of the workspace manage these.
          </EmptyState>
        </div>
      )}
    </>
  );
}
