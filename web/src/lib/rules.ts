import type { Conditions, Rule, Rules } from '../api/links';

/**
 * The rule builder's state: the link's rules as the API has them, plus what a half-filled form
 * needs (empty lists, query parameters as rows, stable keys for React). `draftFromRules` and
 * `rulesFromDraft` convert; the reducer is every edit the builder offers. Validation mirrors
 * the API's schema (src/links/rules-schema.ts) and names fields as the API's errors do
 * (`rules.2.when.country`), so both kinds of errors land next to the same field.
 */
export const CONDITION_KINDS = [
  'device',
  'os',
  'browser',
  'country',
  'language',
  'time',
  'dates',
  'query',
  'referrer',
  'scans',
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export const CONDITION_LABELS: Record<ConditionKind, string> = {
  device: 'Device type',
  os: 'Operating system',
  browser: 'Browser',
  country: 'Country',
  language: 'Language',
  time: 'Time of day',
  dates: 'Date range',
  query: 'Query parameter',
  referrer: 'Referrer',
  scans: 'Scan number',
};

export const DEVICES = ['mobile', 'tablet', 'desktop'] as const;
export const OPERATING_SYSTEMS = [
  'ios',
  'android',
  'windows',
  'macos',
  'linux',
  'chromeos',
] as const;
export const BROWSERS = [
  'chrome',
  'safari',
  'firefox',
  'edge',
  'opera',
  'samsung',
  'other',
] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const OPTION_LABELS: Record<string, string> = {
  mobile: 'Mobile',
  tablet: 'Tablet',
  desktop: 'Desktop',
  ios: 'iOS',
  android: 'Android',
  windows: 'Windows',
  macos: 'macOS',
  linux: 'Linux',
  chromeos: 'ChromeOS',
  chrome: 'Chrome',
  safari: 'Safari',
  firefox: 'Firefox',
  edge: 'Edge',
  opera: 'Opera',
  samsung: 'Samsung Internet',
  other: 'Other',
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

export interface QueryRow {
  name: string;
  /** Empty: the parameter only has to be present. */
  value: string;
}

export type DraftConditions = Omit<Conditions, 'query'> & { query?: QueryRow[] };

export interface DraftVariant {
  url: string;
  weight: number;
}

export interface DraftRule {
  key: string;
  label: string;
  when: DraftConditions;
  target: 'url' | 'split';
  url: string;
  split: DraftVariant[];
  appUrl: string;
}

let nextKey = 0;
const newKey = (): string => `rule-${++nextKey}`;

export function draftFromRules(rules: Rules | null): DraftRule[] {
  return (rules ?? []).map((rule) => {
    const { query, ...rest } = rule.when;
    const when: DraftConditions = { ...rest };
    if (query) {
      when.query = Object.entries(query).map(([name, value]) => ({
        name,
        value: value === true ? '' : value,
      }));
    }
    return {
      key: newKey(),
      label: rule.label ?? '',
      when,
      target: rule.split ? 'split' : 'url',
      url: rule.url ?? '',
      split: rule.split?.map((v) => ({ ...v })) ?? [],
      appUrl: rule.appUrl ?? '',
    };
  });
}

export function emptyRule(): DraftRule {
  return { key: newKey(), label: '', when: {}, target: 'url', url: '', split: [], appUrl: '' };
}

export function defaultCondition(
  kind: ConditionKind,
  timeZone: string,
): DraftConditions[ConditionKind] {
  switch (kind) {
    case 'time':
      return { from: '09:00', to: '17:00', tz: timeZone };
    case 'dates':
      return { from: new Date().toISOString().slice(0, 19) + 'Z' };
    case 'query':
      return [{ name: '', value: '' }];
    case 'scans':
      return { lte: 100 };
    default:
      return [];
  }
}

export type RuleAction =
  | { type: 'reset'; rules: DraftRule[] }
  | { type: 'add' }
  | { type: 'remove'; index: number }
  | { type: 'move'; index: number; by: -1 | 1 }
  | { type: 'duplicate'; index: number }
  | { type: 'set'; index: number; changes: Partial<Omit<DraftRule, 'key' | 'when'>> }
  | { type: 'addCondition'; index: number; kind: ConditionKind; timeZone: string }
  | {
      type: 'setCondition';
      index: number;
      kind: ConditionKind;
      value: DraftConditions[ConditionKind];
    }
  | { type: 'removeCondition'; index: number; kind: ConditionKind };

export const MAX_RULES = 50;
export const MAX_VARIANTS = 10;

function update(
  rules: DraftRule[],
  index: number,
  change: (rule: DraftRule) => DraftRule,
): DraftRule[] {
  return rules.map((rule, i) => (i === index ? change(rule) : rule));
}

export function rulesReducer(rules: DraftRule[], action: RuleAction): DraftRule[] {
  switch (action.type) {
    case 'reset':
      return action.rules;
    case 'add':
      return rules.length >= MAX_RULES ? rules : [...rules, emptyRule()];
    case 'remove':
      return rules.filter((_, i) => i !== action.index);
    case 'move': {
      const to = action.index + action.by;
      if (to < 0 || to >= rules.length) return rules;
      const next = [...rules];
      [next[action.index], next[to]] = [next[to] as DraftRule, next[action.index] as DraftRule];
      return next;
    }
    case 'duplicate': {
      const source = rules[action.index];
      if (!source || rules.length >= MAX_RULES) return rules;
      const copy: DraftRule = structuredClone({ ...source, key: newKey() });
      return [...rules.slice(0, action.index + 1), copy, ...rules.slice(action.index + 1)];
    }
    case 'set':
      return update(rules, action.index, (rule) => {
        const next = { ...rule, ...action.changes };
        // Switching to a split starts with the current URL as variant A and an empty B.
        if (action.changes.target === 'split' && rule.split.length < 2) {
          next.split = [
            { url: rule.url, weight: 50 },
            { url: '', weight: 50 },
          ];
        }
        if (action.changes.target === 'url' && !rule.url && rule.split[0]) {
          next.url = rule.split[0].url;
        }
        return next;
      });
    case 'addCondition':
      return update(rules, action.index, (rule) =>
        action.kind in rule.when
          ? rule
          : {
              ...rule,
              when: { ...rule.when, [action.kind]: defaultCondition(action.kind, action.timeZone) },
            },
      );
    case 'setCondition':
      return update(rules, action.index, (rule) => ({
        ...rule,
        when: { ...rule.when, [action.kind]: action.value },
      }));
    case 'removeCondition':
      return update(rules, action.index, (rule) => {
        const when = { ...rule.when };
        delete when[action.kind];
        return { ...rule, when };
      });
  }
}

/** Condition kinds a rule can still add (each kind at most once per rule). */
export function unusedKinds(rule: DraftRule): ConditionKind[] {
  return CONDITION_KINDS.filter((kind) => !(kind in rule.when));
}

/** Each variant's share of traffic in whole percent (largest remainder, summing to 100). */
export function splitShares(variants: readonly DraftVariant[]): number[] {
  const weights = variants.map((v) => (Number.isFinite(v.weight) && v.weight > 0 ? v.weight : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w * 100) / total);
  const shares = exact.map(Math.floor);
  let left = 100 - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, i) => ({ i, rest: value - Math.floor(value) }))
    .sort((a, b) => b.rest - a.rest);
  for (const { i } of order) {
    if (left-- <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
  }
  return shares;
}

const HH_MM = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/;
const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[a-z]{2,3}$/;
const HOST =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const QUERY_NAME = /^[A-Za-z0-9._~\-[\]]{1,64}$/;

export type RuleErrors = Record<string, string>;

function checkList(
  errors: RuleErrors,
  field: string,
  values: readonly string[],
  pattern: RegExp | null,
  what: string,
): void {
  if (values.length === 0) errors[field] = 'choose at least one';
  else if (pattern) {
    const bad = values.filter((v) => !pattern.test(v));
    if (bad.length > 0) errors[field] = `not ${what}: ${bad.join(', ')}`;
  }
}

function conditionsOf(when: DraftConditions, field: string, errors: RuleErrors): Conditions {
  const out: Conditions = {};
  if (when.device) {
    checkList(errors, `${field}.device`, when.device, null, '');
    out.device = when.device;
  }
  if (when.os) {
    checkList(errors, `${field}.os`, when.os, null, '');
    out.os = when.os;
  }
  if (when.browser) {
    checkList(errors, `${field}.browser`, when.browser, null, '');
    out.browser = when.browser;
  }
  if (when.country) {
    checkList(errors, `${field}.country`, when.country, COUNTRY, 'a two-letter country code');
    out.country = when.country;
  }
  if (when.language) {
    checkList(
      errors,
      `${field}.language`,
      when.language,
      LANGUAGE,
      'a language code like en or de',
    );
    out.language = when.language;
  }
  if (when.referrer) {
    checkList(errors, `${field}.referrer`, when.referrer, HOST, 'a host name like example.com');
    out.referrer = when.referrer;
  }
  if (when.time) {
    const { from, to, tz, days } = when.time;
    if (!HH_MM.test(from) || !HH_MM.test(to)) errors[`${field}.time`] = 'use times like 09:00';
    else if (!tz) errors[`${field}.time`] = 'choose a time zone';
    else if (days && days.length === 0) errors[`${field}.time`] = 'choose at least one day';
    out.time = days ? { from, to, tz, days } : { from, to, tz };
  }
  if (when.dates) {
    const { from, to } = when.dates;
    if (!from && !to) errors[`${field}.dates`] = 'give a start, an end, or both';
    else if (from && to && from >= to) errors[`${field}.dates`] = 'the end must be after the start';
    out.dates = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }
  if (when.query) {
    const query: Record<string, string | true> = {};
    for (const row of when.query) {
      const name = row.name.trim();
      if (!QUERY_NAME.test(name)) {
        errors[`${field}.query`] = 'parameter names use letters, digits and . _ ~ - [ ]';
        continue;
      }
      query[name] = row.value === '' ? true : row.value;
    }
    if (when.query.length === 0) errors[`${field}.query`] = 'add a parameter';
    out.query = query;
  }
  if (when.scans) {
    const { lte, gt } = when.scans;
    if (lte !== undefined && !(Number.isInteger(lte) && lte >= 1))
      errors[`${field}.scans`] = 'a whole number of 1 or more';
    if (gt !== undefined && !(Number.isInteger(gt) && gt >= 0))
      errors[`${field}.scans`] = 'a whole number of 0 or more';
    out.scans = lte !== undefined ? { lte } : { gt: gt ?? 0 };
  }
  if (Object.keys(out).length === 0) errors[field] = 'add at least one condition';
  return out;
}

/** The API's rules from the builder, or the errors to show (nothing is sent while any). */
export function rulesFromDraft(draft: readonly DraftRule[]): { rules: Rules; errors: RuleErrors } {
  const errors: RuleErrors = {};
  const rules = draft.map((rule, index): Rule => {
    const field = `rules.${index}`;
    const out: Rule = { when: conditionsOf(rule.when, `${field}.when`, errors) };
    if (rule.target === 'url') {
      if (!rule.url.trim()) errors[`${field}.url`] = 'enter the destination';
      out.url = rule.url.trim();
    } else {
      if (rule.split.length < 2) errors[`${field}.split`] = 'a split needs at least two variants';
      rule.split.forEach((variant, v) => {
        if (!variant.url.trim()) errors[`${field}.split.${v}.url`] = 'enter the destination';
        if (!(Number.isInteger(variant.weight) && variant.weight >= 1 && variant.weight <= 1000))
          errors[`${field}.split.${v}.weight`] = 'a weight from 1 to 1000';
      });
      out.split = rule.split.map((v) => ({ url: v.url.trim(), weight: v.weight }));
    }
    if (rule.appUrl.trim()) out.appUrl = rule.appUrl.trim();
    if (rule.label.trim()) out.label = rule.label.trim();
    return out;
  });
  return { rules, errors };
}

/** One line for a rule's header: "iOS · Germany, Austria · 09:00–17:00". */
export function describeConditions(
  when: DraftConditions,
  names: { country: (code: string) => string },
): string {
  const parts: string[] = [];
  const list = (values: readonly string[]) => values.map((v) => OPTION_LABELS[v] ?? v).join(', ');
  if (when.device?.length) parts.push(list(when.device));
  if (when.os?.length) parts.push(list(when.os));
  if (when.browser?.length) parts.push(list(when.browser));
  if (when.country?.length) parts.push(when.country.map(names.country).join(', '));
  if (when.language?.length) parts.push(`language ${when.language.join(', ')}`);
  if (when.time) parts.push(`${when.time.from}–${when.time.to} ${when.time.tz}`);
  if (when.dates) parts.push('within dates');
  if (when.query?.length)
    parts.push(`?${when.query.map((q) => (q.value ? `${q.name}=${q.value}` : q.name)).join('&')}`);
  if (when.referrer?.length) parts.push(`from ${when.referrer.join(', ')}`);
  if (when.scans)
    parts.push(
      when.scans.lte !== undefined
        ? `first ${when.scans.lte} scans`
        : `after scan ${when.scans.gt}`,
    );
  return parts.length > 0 ? parts.join(' · ') : 'No conditions yet';
}
