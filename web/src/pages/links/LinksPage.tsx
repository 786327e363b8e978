import { Plus } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useDomains } from '../../api/domains';
import {
  useBulkArchive,
  useBulkTag,
  useLinks,
  type Link as ShortLink,
  type LinkListQuery,
} from '../../api/links';
import { CheckboxField, SelectField, TextField } from '../../components/fields';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/states';
import { UsageBanner } from '../../components/UsageBanner';
import { CopyButton, Dialog, StatusBadge } from '../../components/widgets';
import { toCsv } from '../../lib/csv';
import { downloadBlob } from '../../lib/download';
import { formatDate, formatNumber } from '../../lib/format';
import { useDebounced } from '../../lib/useDebounced';

const PAGE_SIZE = 25;
type SortKey = 'created' | 'scans' | 'title';

function sortLinks(links: ShortLink[], key: SortKey, descending: boolean): ShortLink[] {
  const value = (l: ShortLink): string | number =>
    key === 'scans' ? l.scans : key === 'title' ? (l.title ?? l.code).toLowerCase() : l.createdAt;
  const sorted = [...links].sort((a, b) =>
    value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0,
  );
  return descending ? sorted.reverse() : sorted;
}

function exportCsv(links: readonly ShortLink[]): void {
  const csv = toCsv(
    ['short_url', 'destination', 'title', 'tags', 'status', 'scans', 'created_at', 'archived_at'],
    links.map((l) => [
      l.shortUrl,
      l.url,
      l.title,
      l.tags.join(' '),
      l.status,
      l.scans,
      l.createdAt,
      l.archivedAt,
    ]),
  );
  downloadBlob(new Blob([csv], { type: 'text/csv' }), 'qrlink-links.csv');
}

function SortHeader({
  label,
  column,
  sort,
  onSort,
  className,
}: {
  label: string;
  column: SortKey;
  sort: { key: SortKey; descending: boolean };
  onSort: (key: SortKey) => void;
  className?: string;
}) {
  const active = sort.key === column;
  return (
    <th
      className={className}
      aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
    >
      <button type="button" className="th-sort" onClick={() => onSort(column)}>
        {label}
        {active ? (sort.descending ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
}

function TagDialog({ links, onClose }: { links: ShortLink[]; onClose: () => void }) {
  const tagAll = useBulkTag();
  const [tag, setTag] = useState('');
  return (
    <Dialog
      open
      title={`Tag ${links.length} link${links.length === 1 ? '' : 's'}`}
      onClose={onClose}
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (tag.trim())
            tagAll.mutate(
              { links, tag: tag.trim() },
              { onSuccess: (r) => r.failed.length === 0 && onClose() },
            );
        }}
      >
        <TextField
          label="Tag"
          autoFocus
          maxLength={50}
          required
          value={tag}
          onChange={(e) => setTag(e.target.value)}
        />
        {tagAll.data && tagAll.data.failed.length > 0 && (
          <FormError
            message={`${tagAll.data.failed.length} link(s) could not be tagged: ${String((tagAll.data.failed[0]?.error as Error).message)}`}
          />
        )}
        <div className="row row-end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={tagAll.isPending}>
            Add tag
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function LinksPage() {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDebounced(search.trim(), 300);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: 'created',
    descending: true,
  });
  const [tagging, setTagging] = useState(false);
  const archiveAll = useBulkArchive();
  const domains = useDomains();

  const filters = {
    tag: params.get('tag') ?? '',
    status: params.get('status') ?? '',
    domain: params.get('domain') ?? '',
    archived: params.get('archived') === 'true',
  };
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  useEffect(() => {
    const next = new URLSearchParams(params);
    if (q) next.set('q', q);
    else next.delete('q');
    if (next.toString() !== params.toString()) setParams(next, { replace: true });
  }, [q, params, setParams]);

  const filterKey = JSON.stringify([q, filters]);
  const [lastFilterKey, setLastFilterKey] = useState(filterKey);
  if (filterKey !== lastFilterKey) {
    setLastFilterKey(filterKey);
    setCursors([undefined]);
    setSelected(new Set());
  }
  const cursor = cursors[cursors.length - 1];
  const query: LinkListQuery = {
    limit: PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
    ...(q ? { q } : {}),
    ...(filters.tag ? { tag: filters.tag } : {}),
    ...(filters.status ? { status: filters.status as 'active' | 'paused' | 'disabled' } : {}),
    ...(filters.domain ? { domain: filters.domain } : {}),
    ...(filters.archived ? { archived: true } : {}),
  };
  const links = useLinks(query);
  const rows = useMemo(
    () => sortLinks(links.data?.items ?? [], sort.key, sort.descending),
    [links.data, sort],
  );
  const selectedLinks = rows.filter((l) => selected.has(l.id));
  const allSelected = rows.length > 0 && rows.every((l) => selected.has(l.id));
  const onSort = (key: SortKey) =>
    setSort((s) => ({ key, descending: s.key === key ? !s.descending : key !== 'title' }));
  const filtered = Boolean(
    q || filters.tag || filters.status || filters.domain || filters.archived,
  );

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Links</h1>
          <p>Every short link of the workspace and its QR code.</p>
        </div>
        <div className="page-actions">
          <Link to="/links/new" className="btn btn-primary">
            <Plus size={16} aria-hidden="true" /> New link
          </Link>
        </div>
      </div>
      <UsageBanner meters={['linksThisPeriod', 'activeQrCodes']} />
      <div className="card stack">
        <div className="toolbar" role="search">
          <TextField
            label="Search"
            type="search"
            className="field-grow"
            placeholder="Code, title, destination or tag"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <TextField
            label="Tag"
            value={filters.tag}
            onChange={(e) => setFilter('tag', e.target.value.trim())}
          />
          <SelectField
            label="Status"
            value={filters.status}
            onChange={(e) => setFilter('status', e.target.value)}
          >
            <option value="">Any status</option>
            <option value="active">Active</option>
            <option value="paused">Paused</option>
            <option value="disabled">Disabled</option>
          </SelectField>
          <SelectField
            label="Domain"
            value={filters.domain}
            onChange={(e) => setFilter('domain', e.target.value)}
          >
            <option value="">Any domain</option>
            {domains.data?.items
              .filter((d) => d.status === 'active')
              .map((d) => (
                <option key={d.id} value={d.host}>
                  {d.host}
                </option>
              ))}
          </SelectField>
          <CheckboxField
            label="Archived links"
            checked={filters.archived}
            onChange={(e) => setFilter('archived', e.target.checked ? 'true' : '')}
          />
        </div>
        {selected.size > 0 && (
          <div className="bulkbar" role="region" aria-label="Bulk actions">
            <span>{selected.size} selected</span>
            {!filters.archived && (
              <button
                type="button"
                className="btn btn-small"
                disabled={archiveAll.isPending}
                onClick={() =>
                  archiveAll.mutate([...selected], { onSuccess: () => setSelected(new Set()) })
                }
              >
                Archive
              </button>
            )}
            <button type="button" className="btn btn-small" onClick={() => setTagging(true)}>
              Add tag
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => exportCsv(selectedLinks)}
            >
              Export CSV
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => setSelected(new Set())}
            >
              Clear selection
            </button>
          </div>
        )}
        {archiveAll.data && archiveAll.data.failed.length > 0 && (
          <FormError message={`${archiveAll.data.failed.length} link(s) could not be archived.`} />
        )}
        {links.isPending ? (
          <Loading label="Loading links…" />
        ) : links.isError ? (
          <ErrorState error={links.error} onRetry={() => void links.refetch()} />
        ) : rows.length === 0 ? (
          filtered ? (
            <EmptyState title="No links match">Try another search or clear the filters.</EmptyState>
          ) : (
            <EmptyState
              title="No links yet"
              action={
                <Link to="/links/new" className="btn btn-primary">
                  Create your first link
                </Link>
              }
            >
              A link gets a short URL and a QR code you can print; its destination can change later.
            </EmptyState>
          )
        ) : (
          <>
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">
                  Links, sortable by title, scans and creation date
                </caption>
                <thead>
                  <tr>
                    <th>
                      <input
                        type="checkbox"
                        aria-label="Select all links on this page"
                        checked={allSelected}
                        onChange={(e) =>
                          setSelected(e.target.checked ? new Set(rows.map((l) => l.id)) : new Set())
                        }
                      />
                    </th>
                    <SortHeader label="Link" column="title" sort={sort} onSort={onSort} />
                    <th>Tags</th>
                    <th>Status</th>
                    <SortHeader
                      label="Scans"
                      column="scans"
                      sort={sort}
                      onSort={onSort}
                      className="num"
                    />
                    <SortHeader label="Created" column="created" sort={sort} onSort={onSort} />
                    <th>
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((link) => (
                    <tr key={link.id}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${link.shortUrl}`}
                          checked={selected.has(link.id)}
                          onChange={(e) => {
                            const next = new Set(selected);
                            if (e.target.checked) next.add(link.id);
                            else next.delete(link.id);
                            setSelected(next);
                          }}
                        />
                      </td>
                      <td>
                        <div className="link-cell">
                          <Link to={`/links/${link.id}`} className="truncate">
                            {link.title ?? link.shortUrl.replace(/^https?:\/\//, '')}
                          </Link>
                          {link.title && (
                            <span className="small truncate">
                              {link.shortUrl.replace(/^https?:\/\//, '')}
                            </span>
                          )}
                          <span className="muted small truncate" title={link.url}>
                            {link.url}
                          </span>
                        </div>
                      </td>
                      <td>
                        <div className="tags">
                          {link.tags.map((t) => (
                            <span key={t} className="tag">
                              {t}
                            </span>
                          ))}
                        </div>
                      </td>
                      <td>
                        <StatusBadge status={link.archivedAt ? 'archived' : link.status} />
                      </td>
                      <td className="num">{formatNumber(link.scans)}</td>
                      <td className="small">{formatDate(link.createdAt)}</td>
                      <td>
                        <CopyButton
                          text={link.shortUrl}
                          label="Copy"
                          className="btn btn-small btn-ghost"
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="pager">
              <button
                type="button"
                className="btn btn-small"
                disabled={cursors.length <= 1}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                Previous
              </button>
              <span className="small muted">
                Page {cursors.length}
                {sort.key !== 'created' || !sort.descending ? ' · sorted within this page' : ''}
              </span>
              <button
                type="button"
                className="btn btn-small"
                disabled={!links.data.nextCursor}
                onClick={() => {
                  const next = links.data?.nextCursor;
                  if (next) setCursors((c) => [...c, next]);
                }}
              >
                Next
              </button>
            </div>
          </>
        )}
      </div>
      {tagging && <TagDialog links={selectedLinks} onClose={() => setTagging(false)} />}
    </>
  );
}
