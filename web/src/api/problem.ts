/**
 * Errors of the API are problem+json documents (RFC 9457) with a stable `code`, a `detail`
 * safe to show, and for invalid input `errors[]` whose `field` is a JSON pointer (`/utm/source`)
 * or, outside the body, `querystring:/size`. Forms show each error next to its field.
 */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

function isProblemBody(body: unknown): body is Partial<Problem> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** Any error body (or none, or a network failure) as a Problem with something to show. */
export function toProblem(status: number, body: unknown): Problem {
  const base = isProblemBody(body) ? body : {};
  const detail =
    typeof base.detail === 'string' && base.detail !== ''
      ? base.detail
      : typeof base.title === 'string'
        ? base.title
        : status === 0
          ? 'The server could not be reached. Check your connection and try again.'
          : `The server answered ${status}.`;
  const errors = Array.isArray(base.errors)
    ? base.errors.filter(
        (e): e is FieldProblem =>
          isProblemBody(e) && typeof e.field === 'string' && typeof e.message === 'string',
      )
    : undefined;
  return {
    ...base,
    status,
    detail,
    code: typeof base.code === 'string' ? base.code : status === 0 ? 'network' : 'unknown',
    ...(errors ? { errors } : {}),
  };
}

/** `/utm/source` → `utm.source`; `/rules/0/when/os` → `rules.0.when.os` (RFC 6901 unescaped). */
export function fieldPath(pointer: string): string {
  const [, query] = /^querystring:(.*)$/.exec(pointer) ?? [];
  const path = (query ?? pointer)
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
  return query !== undefined ? `query.${path}`.replace(/\.$/, '') : path;
}

export interface FormErrors {
  /** Messages per form field (the longest known field that prefixes the error's path). */
  fields: Record<string, string>;
  /** What no field shows: the problem's detail, and errors of unknown fields. */
  summary: string | null;
}

/**
 * Maps a failed request onto a form: each field error goes to the longest of `knownFields` that
 * its path starts with (`rules.2.when.country` → `rules.2` when that is a field), several
 * messages for one field are joined; the rest, or the detail when nothing was placed, is the
 * summary shown above the form.
 */
export function formErrors(error: unknown, knownFields: readonly string[]): FormErrors {
  if (error === null || error === undefined) return { fields: {}, summary: null };
  if (!(error instanceof ProblemError)) {
    return { fields: {}, summary: error instanceof Error ? error.message : String(error) };
  }
  const fields: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const { field, message } of error.problem.errors ?? []) {
    const path = fieldPath(field);
    const owner = knownFields
      .filter((known) => path === known || path.startsWith(`${known}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (owner === undefined) {
      unplaced.push(path ? `${path}: ${message}` : message);
      continue;
    }
    const sentence = owner === path ? message : `${path.slice(owner.length + 1)}: ${message}`;
    fields[owner] = fields[owner] ? `${fields[owner]}; ${sentence}` : sentence;
  }
  const summary =
    unplaced.length > 0
      ? unplaced.join('; ')
      : Object.keys(fields).length > 0
        ? null
        : error.problem.detail;
  return { fields, summary };
}
