import { Value } from 'typebox/value';
import type { FieldError } from '../errors.js';
import { checkAppUri, type UrlCheck } from './destination.js';
import { RulesSchema, type Rule, type Rules } from './rules-schema.js';
import { isValidTimeZone, parseRfc3339 } from './rules-time.js';

export type RulesValidation = { ok: true; rules: Rules } | { ok: false; errors: FieldError[] };

/** Enough to fix a document; a hostile one must not produce a huge error response. */
const MAX_ERRORS = 20;

/**
 * Validates a rules document: its shape (RulesSchema), then what JSON Schema cannot express —
 * exactly one of `url`/`split`, a known time zone, real dates in order, and every URL screened by
 * `checkUrl` (the destination check, e.g. `(u) => checkDestination(u, policy)`) and `appUrl` by
 * `checkAppUri`. On success the rules come back with every URL in its normalized form.
 * Field paths are JSON pointers under `basePath` (`/rules/0/split/1/url`).
 */
export function validateRules(
  input: unknown,
  checkUrl: (url: string) => UrlCheck,
  basePath = '/rules',
): RulesValidation {
  if (!Value.Check(RulesSchema, input)) {
    return { ok: false, errors: schemaErrors(input, basePath) };
  }
  const errors: FieldError[] = [];
  const rules = input.map((rule, index) =>
    checkRule(rule, `${basePath}/${index}`, checkUrl, errors),
  );
  return errors.length === 0
    ? { ok: true, rules }
    : { ok: false, errors: errors.slice(0, MAX_ERRORS) };
}

function checkRule(
  rule: Rule,
  path: string,
  checkUrl: (url: string) => UrlCheck,
  errors: FieldError[],
): Rule {
  const checked: Rule = { ...rule };
  if ((rule.url === undefined) === (rule.split === undefined)) {
    errors.push({ field: path, message: 'must have exactly one of url or split' });
  }
  if (rule.url !== undefined) checked.url = screen(rule.url, `${path}/url`, checkUrl, errors);
  if (rule.split !== undefined) {
    checked.split = rule.split.map((variant, index) => ({
      ...variant,
      url: screen(variant.url, `${path}/split/${index}/url`, checkUrl, errors),
    }));
  }
  if (rule.appUrl !== undefined) {
    checked.appUrl = screen(rule.appUrl, `${path}/appUrl`, checkAppUri, errors);
  }
  const { time, dates } = rule.when;
  if (time !== undefined && !isValidTimeZone(time.tz)) {
    errors.push({ field: `${path}/when/time/tz`, message: `unknown IANA time zone "${time.tz}"` });
  }
  if (dates !== undefined) {
    const from = dates.from === undefined ? -Infinity : parseRfc3339(dates.from);
    const to = dates.to === undefined ? Infinity : parseRfc3339(dates.to);
    if (Number.isNaN(from)) {
      errors.push({ field: `${path}/when/dates/from`, message: 'is not a valid date-time' });
    }
    if (Number.isNaN(to)) {
      errors.push({ field: `${path}/when/dates/to`, message: 'is not a valid date-time' });
    }
    if (from >= to) errors.push({ field: `${path}/when/dates/to`, message: 'must be after from' });
  }
  return checked;
}

function screen(
  url: string,
  field: string,
  check: (url: string) => UrlCheck,
  errors: FieldError[],
): string {
  const result = check(url);
  if (result.ok) return result.url;
  errors.push({ field, message: result.reason });
  return url;
}

/** Readable messages for the shape errors whose generic text would quote a regex or a count. */
const FRIENDLY_MESSAGES: ReadonlyArray<readonly [keyword: string, path: RegExp, message: string]> =
  [
    ['minProperties', /\/when$/, 'must have at least one condition'],
    ['minProperties', /\/dates$/, 'must have from, to or both'],
    ['minProperties', /\/scans$/, 'must have exactly one of lte or gt'],
    ['maxProperties', /\/scans$/, 'must have exactly one of lte or gt'],
    ['pattern', /\/time\/(?:from|to)$/, 'must be a time of day HH:MM (00:00–23:59)'],
    ['pattern', /\/time\/tz$/, 'must be an IANA time zone name such as Europe/Berlin'],
    [
      'pattern',
      /\/dates\/(?:from|to)$/,
      'must be an RFC 3339 date-time such as 2025-01-31T18:00:00Z',
    ],
    ['pattern', /\/country\/\d+$/, 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE'],
    ['pattern', /\/language\/\d+$/, 'must be a primary language subtag in lower case, e.g. de'],
    ['pattern', /\/referrer\/\d+$/, 'must be a host name in lower case, e.g. example.com'],
  ];

/** TypeBox errors as field errors: one per field, unions and `false` sub-schemas folded. */
function schemaErrors(input: unknown, basePath: string): FieldError[] {
  const byField = new Map<string, string>();
  for (const error of Value.Errors(RulesSchema, input)) {
    if (byField.size >= MAX_ERRORS) break;
    const at = `${basePath}${error.instancePath}`;
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'additionalProperties') {
      for (const name of asStrings(params.additionalProperties)) {
        byField.set(`${at}/${escapePointer(name)}`, 'is not an allowed property');
      }
    } else if (error.keyword === 'required') {
      for (const name of asStrings(params.requiredProperties)) {
        if (!byField.has(`${at}/${escapePointer(name)}`)) {
          byField.set(`${at}/${escapePointer(name)}`, 'is required');
        }
      }
    } else if (error.keyword === 'boolean') {
      byField.set(at, 'is not an allowed property');
    } else if (error.keyword === 'anyOf') {
      byField.set(at, 'must be true (present) or a string (equal to)');
    } else if (error.keyword === 'enum') {
      byField.set(at, `must be one of: ${asStrings(params.allowedValues).join(', ')}`);
    } else if (!byField.has(at)) {
      const friendly = FRIENDLY_MESSAGES.find(
        ([keyword, path]) => keyword === error.keyword && path.test(at),
      );
      byField.set(at, friendly?.[2] ?? error.message);
    }
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
