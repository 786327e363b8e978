import { useState } from 'react';
import { Link as RouterLink } from 'react-router';
import { useDomains } from '../../api/domains';
import type { Link, LinkChanges, LinkInput } from '../../api/links';
import { formErrors, ProblemError } from '../../api/problem';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/fields';
import { TokenInput } from '../../components/TokenInput';
import { FormError } from '../../components/states';
import { browserTimeZone, isoToLocalInput, localInputToIso } from '../../lib/format';
import { cleanUtm, splitUtm, UTM_KEYS, withUtm, type Utm } from '../../lib/utm';

const FIELDS = [
  'url',
  'title',
  'notes',
  'tags',
  'code',
  'domain',
  'status',
  'expiresAt',
  'expiredUrl',
  'maxScans',
  'password',
  'redirectType',
  'passQuery',
  'track',
  'fallbackUrl',
  'utm',
  ...UTM_KEYS.map((k) => `utm.${k}`),
];

interface FormState {
  url: string;
  title: string;
  notes: string;
  tags: string[];
  code: string;
  domain: string;
  status: 'active' | 'paused' | 'disabled';
  expiresAt: string;
  expiredUrl: string;
  maxScans: string;
  password: string;
  removePassword: boolean;
  redirectType: 301 | 302 | 307 | 308;
  passQuery: boolean;
  track: boolean;
  fallbackUrl: string;
  utm: Utm;
}

function stateOf(link: Link | undefined, timeZone: string): FormState {
  return {
    url: link?.url ?? '',
    title: link?.title ?? '',
    notes: link?.notes ?? '',
    tags: link?.tags ?? [],
    code: '',
    domain: '',
    status: (link?.status as FormState['status'] | undefined) ?? 'active',
    expiresAt: link?.expiresAt ? isoToLocalInput(link.expiresAt, timeZone) : '',
    expiredUrl: link?.expiredUrl ?? '',
    maxScans: link?.maxScans ? String(link.maxScans) : '',
    password: '',
    removePassword: false,
    redirectType: (link?.redirectType as FormState['redirectType'] | undefined) ?? 302,
    passQuery: link?.passQuery ?? false,
    track: link?.track ?? true,
    fallbackUrl: link?.fallbackUrl ?? '',
    utm: link?.utm ?? {},
  };
}

const orNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());

/** The request body for a new link: only what the user set (the API's defaults do the rest). */
function inputOf(state: FormState, timeZone: string): LinkInput {
  const utm = cleanUtm(state.utm);
  return {
    url: state.url.trim(),
    ...(orNull(state.title) ? { title: state.title.trim() } : {}),
    ...(orNull(state.notes) ? { notes: state.notes.trim() } : {}),
    ...(state.tags.length ? { tags: state.tags } : {}),
    ...(orNull(state.code) ? { code: state.code.trim() } : {}),
    ...(state.domain ? { domain: state.domain } : {}),
    ...(state.expiresAt ? { expiresAt: localInputToIso(state.expiresAt, timeZone) } : {}),
    ...(orNull(state.expiredUrl) ? { expiredUrl: state.expiredUrl.trim() } : {}),
    ...(state.maxScans ? { maxScans: Number(state.maxScans) } : {}),
    ...(state.password ? { password: state.password } : {}),
    ...(state.redirectType !== 302 ? { redirectType: state.redirectType } : {}),
    ...(state.passQuery ? { passQuery: true } : {}),
    ...(!state.track ? { track: false } : {}),
    ...(orNull(state.fallbackUrl) ? { fallbackUrl: state.fallbackUrl.trim() } : {}),
    ...(utm ? { utm } : {}),
  };
}

/** The PATCH body: the fields that differ from the stored link. */
function changesOf(link: Link, state: FormState, timeZone: string): LinkChanges {
  const changes: LinkChanges = {};
  if (state.url.trim() !== link.url) changes.url = state.url.trim();
  if (orNull(state.title) !== link.title) changes.title = orNull(state.title);
  if (orNull(state.notes) !== link.notes) changes.notes = orNull(state.notes);
  if (JSON.stringify(state.tags) !== JSON.stringify(link.tags)) changes.tags = state.tags;
  if (state.status !== link.status) changes.status = state.status;
  const expiresAt = state.expiresAt ? localInputToIso(state.expiresAt, timeZone) : null;
  if ((expiresAt ?? null) !== (link.expiresAt ? new Date(link.expiresAt).toISOString() : null))
    changes.expiresAt = expiresAt;
  if (orNull(state.expiredUrl) !== link.expiredUrl) changes.expiredUrl = orNull(state.expiredUrl);
  const maxScans = state.maxScans ? Number(state.maxScans) : null;
  if (maxScans !== link.maxScans) changes.maxScans = maxScans;
  if (state.password) changes.password = state.password;
  else if (state.removePassword && link.hasPassword) changes.password = null;
  if (state.redirectType !== link.redirectType) changes.redirectType = state.redirectType;
  if (state.passQuery !== link.passQuery) changes.passQuery = state.passQuery;
  if (state.track !== link.track) changes.track = state.track;
  if (orNull(state.fallbackUrl) !== link.fallbackUrl)
    changes.fallbackUrl = orNull(state.fallbackUrl);
  const utm = cleanUtm(state.utm);
  if (
    JSON.stringify(utm) !==
    JSON.stringify(link.utm && Object.keys(link.utm).length ? cleanUtm(link.utm) : null)
  )
    changes.utm = utm;
  return changes;
}

export function PlanLimitHint({ error }: { error: unknown }) {
  if (!(error instanceof ProblemError) || error.code !== 'plan_limit') return null;
  return (
    <p className="small">
      <RouterLink to="/billing">See plans and upgrade</RouterLink>
    </p>
  );
}

export function LinkForm({
  link,
  pending,
  error,
  onCreate,
  onUpdate,
}: {
  link?: Link;
  pending: boolean;
  error: unknown;
  onCreate?: (input: LinkInput) => void;
  onUpdate?: (changes: LinkChanges) => void;
}) {
  const [timeZone] = useState(browserTimeZone);
  const [state, setState] = useState<FormState>(() => stateOf(link, timeZone));
  const [lastLink, setLastLink] = useState(link);
  if (link !== lastLink) {
    setLastLink(link);
    setState(stateOf(link, timeZone));
  }
  const domains = useDomains();
  const errors = formErrors(error, FIELDS);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setState((s) => ({ ...s, [key]: value }));
  const utmError = errors.fields.utm;
  const preview = withUtm(state.url.trim(), cleanUtm(state.utm));
  const changes = link ? changesOf(link, state, timeZone) : null;
  const unchanged = changes !== null && Object.keys(changes).length === 0;

  return (
    <form
      className="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (link && changes) onUpdate?.(changes);
        else onCreate?.(inputOf(state, timeZone));
      }}
    >
      <FormError message={errors.summary} />
      <PlanLimitHint error={error} />
      <section className="card stack" aria-labelledby="dest-title">
        <h2 id="dest-title">Destination</h2>
        <TextField
          label="Destination URL"
          type="url"
          inputMode="url"
          required
          placeholder="https://example.com/page"
          value={state.url}
          onChange={(e) => set('url', e.target.value)}
          onBlur={() => {
            const { url, utm } = splitUtm(state.url.trim());
            if (utm) setState((s) => ({ ...s, url, utm: { ...s.utm, ...utm } }));
          }}
          hint="UTM parameters in a pasted URL move into the UTM builder below."
          error={errors.fields.url}
        />
        {!link && (
          <div className="form-row">
            <SelectField
              label="Domain"
              value={state.domain}
              onChange={(e) => set('domain', e.target.value)}
              error={errors.fields.domain}
            >
              <option value="">Default domain</option>
              {domains.data?.items
                .filter((d) => d.status === 'active')
                .map((d) => (
                  <option key={d.id} value={d.host}>
                    {d.host}
                  </option>
                ))}
            </SelectField>
            <TextField
              label="Custom code (optional)"
              maxLength={64}
              placeholder="spring-menu"
              value={state.code}
              onChange={(e) => set('code', e.target.value)}
              hint="Letters, digits and dashes. Left empty, a short random code is made."
              error={errors.fields.code}
            />
          </div>
        )}
        <div className="form-row">
          <TextField
            label="Title"
            maxLength={200}
            value={state.title}
            onChange={(e) => set('title', e.target.value)}
            error={errors.fields.title}
          />
          {link && (
            <SelectField
              label="Status"
              value={state.status}
              onChange={(e) => set('status', e.target.value as FormState['status'])}
              error={errors.fields.status}
            >
              <option value="active">Active: redirects</option>
              <option value="paused">Paused: shows a paused page</option>
              <option value="disabled">Disabled: not found</option>
            </SelectField>
          )}
        </div>
        <TokenInput
          label="Tags"
          value={state.tags}
          onChange={(tags) => set('tags', tags)}
          max={20}
          hint="Press Enter or a comma after each tag."
          error={errors.fields.tags}
        />
        <TextAreaField
          label="Notes"
          maxLength={2000}
          value={state.notes}
          onChange={(e) => set('notes', e.target.value)}
          error={errors.fields.notes}
        />
      </section>

      <section className="card stack" aria-labelledby="utm-title">
        <div className="card-header">
          <h2 id="utm-title">UTM builder</h2>
          <p>Campaign parameters added to the destination on every redirect.</p>
        </div>
        <div className="form-row">
          {UTM_KEYS.map((key) => (
            <TextField
              key={key}
              label={`utm_${key}`}
              maxLength={200}
              value={state.utm[key] ?? ''}
              onChange={(e) => set('utm', { ...state.utm, [key]: e.target.value })}
              error={errors.fields[`utm.${key}`]}
            />
          ))}
        </div>
        {utmError && <span className="field-error">{utmError}</span>}
        {cleanUtm(state.utm) && state.url && (
          <p className="small break">
            <span className="muted">Visitors land on </span>
            <code>{preview}</code>
          </p>
        )}
      </section>

      <section className="card stack" aria-labelledby="behaviour-title">
        <h2 id="behaviour-title">Behaviour</h2>
        <div className="form-row">
          <SelectField
            label="Redirect type"
            value={state.redirectType}
            onChange={(e) =>
              set('redirectType', Number(e.target.value) as FormState['redirectType'])
            }
            hint="302 lets you change the destination later; 301 is cached by browsers."
            error={errors.fields.redirectType}
          >
            <option value={302}>302 Found (temporary)</option>
            <option value={307}>307 Temporary, keeps the method</option>
            <option value={301}>301 Moved permanently</option>
            <option value={308}>308 Permanent, keeps the method</option>
          </SelectField>
          <TextField
            label="Fallback URL"
            type="url"
            value={state.fallbackUrl}
            onChange={(e) => set('fallbackUrl', e.target.value)}
            hint="Where visitors go when no rule and no destination applies."
            error={errors.fields.fallbackUrl}
          />
        </div>
        <CheckboxField
          label="Pass query parameters through"
          checked={state.passQuery}
          onChange={(e) => set('passQuery', e.target.checked)}
          hint="?ref=poster on the short link is added to the destination."
        />
        <CheckboxField
          label="Count scans (analytics)"
          checked={state.track}
          onChange={(e) => set('track', e.target.checked)}
          hint="Off: visitors are redirected and nothing is recorded."
        />
      </section>

      <section className="card stack" aria-labelledby="limits-title">
        <h2 id="limits-title">Expiry, scan limit and password</h2>
        <div className="form-row">
          <TextField
            label={`Expires at (${timeZone})`}
            type="datetime-local"
            value={state.expiresAt}
            onChange={(e) => set('expiresAt', e.target.value)}
            error={errors.fields.expiresAt}
          />
          <TextField
            label="After expiry, send visitors to"
            type="url"
            value={state.expiredUrl}
            onChange={(e) => set('expiredUrl', e.target.value)}
            error={errors.fields.expiredUrl}
          />
          <TextField
            label="Scan limit"
            type="number"
            min={1}
            inputMode="numeric"
            value={state.maxScans}
            onChange={(e) => set('maxScans', e.target.value)}
            hint="The link stops after this many human scans."
            error={errors.fields.maxScans}
          />
        </div>
        <div className="form-row">
          <TextField
            label={link?.hasPassword ? 'New password' : 'Password'}
            type="password"
            autoComplete="new-password"
            minLength={4}
            maxLength={128}
            value={state.password}
            onChange={(e) => set('password', e.target.value)}
            hint={
              link?.hasPassword
                ? 'This link is password-protected. Leave empty to keep the password.'
                : 'Visitors must enter it before the redirect.'
            }
            error={errors.fields.password}
          />
        </div>
        {link?.hasPassword && (
          <CheckboxField
            label="Remove the password"
            checked={state.removePassword}
            onChange={(e) => set('removePassword', e.target.checked)}
          />
        )}
      </section>

      <div className="row row-end">
        <button type="submit" className="btn btn-primary" disabled={pending || unchanged}>
          {pending ? 'Saving…' : link ? 'Save changes' : 'Create link'}
        </button>
      </div>
    </form>
  );
}
