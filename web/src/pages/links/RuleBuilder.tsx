import { ArrowDown, ArrowUp, Copy, Plus, Trash2 } from 'lucide-react';
import { useMemo, useReducer, useState } from 'react';
import { useUpdateLink, type Link } from '../../api/links';
import { formErrors } from '../../api/problem';
import { CheckboxGroup, SelectField, TextField } from '../../components/fields';
import { TokenInput } from '../../components/TokenInput';
import { FormError } from '../../components/states';
import { countryOptions } from '../../lib/countries';
import {
  browserTimeZone,
  countryName,
  isoToLocalInput,
  languageName,
  localInputToIso,
  timeZones,
} from '../../lib/format';
import {
  BROWSERS,
  CONDITION_LABELS,
  DEVICES,
  describeConditions,
  draftFromRules,
  MAX_RULES,
  MAX_VARIANTS,
  OPERATING_SYSTEMS,
  OPTION_LABELS,
  rulesFromDraft,
  rulesReducer,
  splitShares,
  unusedKinds,
  WEEKDAYS,
  type ConditionKind,
  type DraftConditions,
  type DraftRule,
  type RuleAction,
} from '../../lib/rules';
import { PlanLimitHint } from './LinkForm';

type Dispatch = (action: RuleAction) => void;

function ConditionEditor({
  rule,
  index,
  kind,
  dispatch,
  error,
  timeZone,
}: {
  rule: DraftRule;
  index: number;
  kind: ConditionKind;
  dispatch: Dispatch;
  error: string | undefined;
  timeZone: string;
}) {
  const when = rule.when;
  const set = (value: DraftConditions[ConditionKind]) =>
    dispatch({ type: 'setCondition', index, kind, value });
  const countries = useMemo(() => (kind === 'country' ? countryOptions() : []), [kind]);
  const zones = useMemo(() => (kind === 'time' ? timeZones() : []), [kind]);
  switch (kind) {
    case 'device':
      return (
        <CheckboxGroup
          legend="Device is one of"
          options={DEVICES}
          labels={OPTION_LABELS}
          value={when.device ?? []}
          onChange={set}
          error={error}
        />
      );
    case 'os':
      return (
        <CheckboxGroup
          legend="Operating system is one of"
          options={OPERATING_SYSTEMS}
          labels={OPTION_LABELS}
          value={when.os ?? []}
          onChange={set}
          error={error}
        />
      );
    case 'browser':
      return (
        <CheckboxGroup
          legend="Browser is one of"
          options={BROWSERS}
          labels={OPTION_LABELS}
          value={when.browser ?? []}
          onChange={set}
          error={error}
        />
      );
    case 'country':
      return (
        <TokenInput
          label="Country is one of"
          value={when.country ?? []}
          onChange={set}
          normalize={(v) => v.trim().toUpperCase()}
          display={(code) => `${countryName(code)} (${code})`}
          suggestions={countries}
          placeholder="DE"
          hint="Two-letter codes (ISO 3166-1); type to pick from the list."
          error={error}
          max={250}
        />
      );
    case 'language':
      return (
        <TokenInput
          label="Preferred language is one of"
          value={when.language ?? []}
          onChange={set}
          normalize={(v) => v.trim().toLowerCase()}
          display={(code) => `${languageName(code)} (${code})`}
          placeholder="de"
          hint="Primary language codes from the browser's Accept-Language, e.g. en, de, fr."
          error={error}
          max={50}
        />
      );
    case 'referrer':
      return (
        <TokenInput
          label="Referrer host is one of"
          value={when.referrer ?? []}
          onChange={set}
          normalize={(v) => v.trim().toLowerCase()}
          placeholder="news.example.com"
          hint="A host also matches its subdomains."
          error={error}
          max={50}
        />
      );
    case 'time': {
      const time = when.time ?? { from: '09:00', to: '17:00', tz: timeZone };
      return (
        <fieldset>
          <legend>Local time is within</legend>
          <div className="form-row">
            <TextField
              label="From"
              type="time"
              value={time.from}
              onChange={(e) => set({ ...time, from: e.target.value })}
            />
            <TextField
              label="To (exclusive)"
              type="time"
              value={time.to}
              onChange={(e) => set({ ...time, to: e.target.value })}
              hint="Earlier than From: the window crosses midnight."
            />
            <SelectField
              label="Time zone"
              value={time.tz}
              onChange={(e) => set({ ...time, tz: e.target.value })}
            >
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </SelectField>
          </div>
          <CheckboxGroup
            legend="On these days (none ticked: every day)"
            options={WEEKDAYS}
            labels={OPTION_LABELS}
            value={time.days ?? []}
            onChange={(days) => {
              set(days.length ? { ...time, days } : { from: time.from, to: time.to, tz: time.tz });
            }}
          />
          {error && <span className="field-error">{error}</span>}
        </fieldset>
      );
    }
    case 'dates': {
      const dates = when.dates ?? {};
      const setEnd = (end: 'from' | 'to', value: string) => {
        const iso = localInputToIso(value, timeZone);
        const next = { ...dates };
        if (iso) next[end] = iso;
        else delete next[end];
        set(next);
      };
      return (
        <fieldset>
          <legend>Date is within ({timeZone})</legend>
          <div className="form-row">
            <TextField
              label="From"
              type="datetime-local"
              value={dates.from ? isoToLocalInput(dates.from, timeZone) : ''}
              onChange={(e) => setEnd('from', e.target.value)}
            />
            <TextField
              label="Until (exclusive)"
              type="datetime-local"
              value={dates.to ? isoToLocalInput(dates.to, timeZone) : ''}
              onChange={(e) => setEnd('to', e.target.value)}
            />
          </div>
          {error && <span className="field-error">{error}</span>}
        </fieldset>
      );
    }
    case 'query': {
      const rows = when.query ?? [];
      return (
        <fieldset>
          <legend>Query parameters of the short link</legend>
          {rows.map((row, r) => (
            <div className="row" key={r}>
              <TextField
                label="Name"
                value={row.name}
                onChange={(e) =>
                  set(rows.map((x, i) => (i === r ? { ...x, name: e.target.value } : x)))
                }
              />
              <TextField
                label="Equals (empty: any value)"
                value={row.value}
                onChange={(e) =>
                  set(rows.map((x, i) => (i === r ? { ...x, value: e.target.value } : x)))
                }
              />
              <button
                type="button"
                className="btn btn-small btn-ghost"
                aria-label={`Remove parameter ${row.name || r + 1}`}
                onClick={() => set(rows.filter((_, i) => i !== r))}
              >
                <Trash2 size={16} aria-hidden="true" />
              </button>
            </div>
          ))}
          {rows.length < 10 && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => set([...rows, { name: '', value: '' }])}
            >
              Add parameter
            </button>
          )}
          {error && <span className="field-error">{error}</span>}
        </fieldset>
      );
    }
    case 'scans': {
      const scans = when.scans ?? { lte: 100 };
      const mode = scans.lte !== undefined ? 'lte' : 'gt';
      const n = scans.lte ?? scans.gt ?? 0;
      return (
        <fieldset>
          <legend>Scan number</legend>
          <div className="form-row">
            <SelectField
              label="Match"
              value={mode}
              onChange={(e) => set(e.target.value === 'lte' ? { lte: Math.max(1, n) } : { gt: n })}
            >
              <option value="lte">The first N scans</option>
              <option value="gt">Every scan after the Nth</option>
            </SelectField>
            <TextField
              label="N"
              type="number"
              min={mode === 'lte' ? 1 : 0}
              value={String(n)}
              onChange={(e) =>
                set(
                  mode === 'lte' ? { lte: Number(e.target.value) } : { gt: Number(e.target.value) },
                )
              }
            />
          </div>
          {error && <span className="field-error">{error}</span>}
        </fieldset>
      );
    }
  }
}

function RuleCard({
  rule,
  index,
  count,
  dispatch,
  errors,
  timeZone,
}: {
  rule: DraftRule;
  index: number;
  count: number;
  dispatch: Dispatch;
  errors: Record<string, string>;
  timeZone: string;
}) {
  const field = `rules.${index}`;
  const kinds = (Object.keys(rule.when) as ConditionKind[]).filter(
    (k) => rule.when[k] !== undefined,
  );
  const unused = unusedKinds(rule);
  const shares = splitShares(rule.split);
  const [adding, setAdding] = useState<ConditionKind | ''>('');
  const title = rule.label || `Rule ${index + 1}`;
  return (
    <li className="rule" aria-label={title}>
      <div className="rule-header">
        <span className="rule-number" aria-hidden="true">
          {index + 1}
        </span>
        <div className="stack">
          <h2 className="rule-title">{title}</h2>
          <span className="small muted">
            {describeConditions(rule.when, { country: countryName })}
          </span>
        </div>
        <div className="row">
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={`Move ${title} up`}
            disabled={index === 0}
            onClick={() => dispatch({ type: 'move', index, by: -1 })}
          >
            <ArrowUp size={16} aria-hidden="true" />
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={`Move ${title} down`}
            disabled={index === count - 1}
            onClick={() => dispatch({ type: 'move', index, by: 1 })}
          >
            <ArrowDown size={16} aria-hidden="true" />
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={`Duplicate ${title}`}
            disabled={count >= MAX_RULES}
            onClick={() => dispatch({ type: 'duplicate', index })}
          >
            <Copy size={16} aria-hidden="true" />
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost btn-danger"
            aria-label={`Delete ${title}`}
            onClick={() => dispatch({ type: 'remove', index })}
          >
            <Trash2 size={16} aria-hidden="true" />
          </button>
        </div>
      </div>
      <div className="rule-body">
        <TextField
          label="Label (optional)"
          maxLength={100}
          value={rule.label}
          onChange={(e) => dispatch({ type: 'set', index, changes: { label: e.target.value } })}
        />
        <h3>When all of these match</h3>
        {errors[`${field}.when`] && <span className="field-error">{errors[`${field}.when`]}</span>}
        {kinds.map((kind) => (
          <div className="condition" key={kind}>
            <div className="spread">
              <strong className="small">{CONDITION_LABELS[kind]}</strong>
              <button
                type="button"
                className="btn btn-small btn-ghost"
                aria-label={`Remove condition ${CONDITION_LABELS[kind]}`}
                onClick={() => dispatch({ type: 'removeCondition', index, kind })}
              >
                Remove
              </button>
            </div>
            <ConditionEditor
              rule={rule}
              index={index}
              kind={kind}
              dispatch={dispatch}
              error={errors[`${field}.when.${kind}`]}
              timeZone={timeZone}
            />
          </div>
        ))}
        {unused.length > 0 && (
          <div className="row">
            <SelectField
              label="Add a condition"
              value={adding}
              onChange={(e) => setAdding(e.target.value as ConditionKind)}
            >
              <option value="">Choose…</option>
              {unused.map((kind) => (
                <option key={kind} value={kind}>
                  {CONDITION_LABELS[kind]}
                </option>
              ))}
            </SelectField>
            <button
              type="button"
              className="btn"
              disabled={!adding}
              onClick={() => {
                if (adding) dispatch({ type: 'addCondition', index, kind: adding, timeZone });
                setAdding('');
              }}
            >
              Add
            </button>
          </div>
        )}
        <h3>Then</h3>
        <div className="checks" role="radiogroup" aria-label={`${title}: destination`}>
          <label className="check">
            <input
              type="radio"
              name={`${rule.key}-target`}
              checked={rule.target === 'url'}
              onChange={() => dispatch({ type: 'set', index, changes: { target: 'url' } })}
            />
            Send to one URL
          </label>
          <label className="check">
            <input
              type="radio"
              name={`${rule.key}-target`}
              checked={rule.target === 'split'}
              onChange={() => dispatch({ type: 'set', index, changes: { target: 'split' } })}
            />
            Split between URLs (A/B test)
          </label>
        </div>
        {rule.target === 'url' ? (
          <TextField
            label="Destination URL"
            type="url"
            value={rule.url}
            onChange={(e) => dispatch({ type: 'set', index, changes: { url: e.target.value } })}
            error={errors[`${field}.url`]}
          />
        ) : (
          <fieldset>
            <legend>Variants (sticky per visitor for a day)</legend>
            {errors[`${field}.split`] && (
              <span className="field-error">{errors[`${field}.split`]}</span>
            )}
            {rule.split.map((variant, v) => (
              <div className="row" key={v}>
                <TextField
                  label={`Variant ${String.fromCharCode(65 + v)} URL`}
                  type="url"
                  className="field-grow"
                  value={variant.url}
                  onChange={(e) =>
                    dispatch({
                      type: 'set',
                      index,
                      changes: {
                        split: rule.split.map((x, i) =>
                          i === v ? { ...x, url: e.target.value } : x,
                        ),
                      },
                    })
                  }
                  error={errors[`${field}.split.${v}.url`]}
                />
                <TextField
                  label={`Weight (${shares[v] ?? 0} %)`}
                  type="number"
                  min={1}
                  max={1000}
                  value={String(variant.weight)}
                  onChange={(e) =>
                    dispatch({
                      type: 'set',
                      index,
                      changes: {
                        split: rule.split.map((x, i) =>
                          i === v ? { ...x, weight: Number(e.target.value) } : x,
                        ),
                      },
                    })
                  }
                  error={errors[`${field}.split.${v}.weight`]}
                />
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  aria-label={`Remove variant ${String.fromCharCode(65 + v)}`}
                  disabled={rule.split.length <= 2}
                  onClick={() =>
                    dispatch({
                      type: 'set',
                      index,
                      changes: { split: rule.split.filter((_, i) => i !== v) },
                    })
                  }
                >
                  <Trash2 size={16} aria-hidden="true" />
                </button>
              </div>
            ))}
            {rule.split.length < MAX_VARIANTS && (
              <button
                type="button"
                className="btn btn-small"
                onClick={() =>
                  dispatch({
                    type: 'set',
                    index,
                    changes: { split: [...rule.split, { url: '', weight: 50 }] },
                  })
                }
              >
                Add variant
              </button>
            )}
          </fieldset>
        )}
        <TextField
          label="App deep link (optional)"
          placeholder="myapp://product/42"
          value={rule.appUrl}
          onChange={(e) => dispatch({ type: 'set', index, changes: { appUrl: e.target.value } })}
          hint="Offered on an intermediate page that opens the app; the URL above stays the fallback."
          error={errors[`${field}.appUrl`]}
        />
      </div>
    </li>
  );
}

export function RuleBuilder({
  link,
  onDirtyChange,
}: {
  link: Link;
  onDirtyChange: (dirty: boolean) => void;
}) {
  const [timeZone] = useState(browserTimeZone);
  const [draft, dispatch] = useReducer(rulesReducer, link.rules, draftFromRules);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const update = useUpdateLink();
  const saved = JSON.stringify(link.rules ?? []);
  const current = rulesFromDraft(draft);
  const dirty = JSON.stringify(current.rules) !== saved;
  const [lastDirty, setLastDirty] = useState(false);
  if (dirty !== lastDirty) {
    setLastDirty(dirty);
    onDirtyChange(dirty);
  }
  const known = Object.keys(current.errors).concat(
    draft.flatMap((rule, i) => [
      `rules.${i}`,
      `rules.${i}.when`,
      ...Object.keys(rule.when).map((k) => `rules.${i}.when.${k}`),
      `rules.${i}.url`,
      `rules.${i}.split`,
      ...rule.split.flatMap((_, v) => [
        `rules.${i}.split.${v}.url`,
        `rules.${i}.split.${v}.weight`,
      ]),
      `rules.${i}.appUrl`,
    ]),
  );
  const server = formErrors(update.error, ['rules', ...known]);
  const errors = { ...server.fields, ...clientErrors };
  return (
    <form
      className="stack-lg"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setClientErrors(current.errors);
        if (Object.keys(current.errors).length > 0) return;
        update.mutate({
          linkId: link.id,
          changes: { rules: current.rules.length ? current.rules : null },
        });
      }}
    >
      <div className="stack">
        <p className="muted small">
          Rules are checked in order; the first rule whose conditions all match decides where a
          visitor goes. Visitors no rule matches go to the link's destination.
        </p>
        <FormError message={server.summary ?? errors.rules} />
        <PlanLimitHint error={update.error} />
        {Object.keys(clientErrors).length > 0 && (
          <FormError message="Some rules are incomplete: see the messages below." />
        )}
        {update.isSuccess && !dirty && (
          <div className="alert alert-success" role="status">
            Rules saved. Every redirect server uses them within a second.
          </div>
        )}
      </div>
      {draft.length === 0 ? (
        <div className="card">
          <div className="state">
            <h2>No rules</h2>
            <p>
              Every visitor goes to {link.url}. Add a rule to send iPhones to the App Store, Germans
              to a German page, or split traffic for an A/B test.
            </p>
          </div>
        </div>
      ) : (
        <ol className="stack plain-list" aria-label="Rules, in the order they are checked">
          {draft.map((rule, index) => (
            <RuleCard
              key={rule.key}
              rule={rule}
              index={index}
              count={draft.length}
              dispatch={dispatch}
              errors={errors}
              timeZone={timeZone}
            />
          ))}
        </ol>
      )}
      <div className="spread">
        <button
          type="button"
          className="btn"
          disabled={draft.length >= MAX_RULES}
          onClick={() => dispatch({ type: 'add' })}
        >
          <Plus size={16} aria-hidden="true" /> Add rule
        </button>
        <div className="row">
          {dirty && (
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => dispatch({ type: 'reset', rules: draftFromRules(link.rules) })}
            >
              Discard changes
            </button>
          )}
          <button type="submit" className="btn btn-primary" disabled={!dirty || update.isPending}>
            {update.isPending ? 'Saving…' : 'Save rules'}
          </button>
        </div>
      </div>
    </form>
  );
}
