import { Type, type TSchema, type TStringOptions } from 'typebox';

/** Shared request/response building blocks; each domain's schemas.ts composes these. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z]{3}_[0-9a-z]{26}$' });
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339, UTC' });

/** No C0 or C1 control character (CR, LF, tab, NUL, ESC, NEL…), DEL, or U+2028/U+2029. */
const SINGLE_LINE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$';
/** The same, except tab, LF and CR. */
const MULTI_LINE_PATTERN = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$';

/** What a field error says instead of quoting one of these patterns. */
export const PATTERN_MESSAGES: ReadonlyMap<string, string> = new Map([
  [SINGLE_LINE_PATTERN, 'must not contain line breaks or control characters'],
  [MULTI_LINE_PATTERN, 'must not contain control characters other than tab and line breaks'],
]);

/**
 * Text shown on one line (names, titles, tags, labels): line breaks and control characters
 * would reach e-mail bodies, headers and logs, so the boundary refuses them.
 */
export const SingleLine = (options: TStringOptions) =>
  Type.String({ ...options, pattern: SINGLE_LINE_PATTERN });

/** Free text (notes): line breaks and tabs allowed, other control characters (NUL…) refused. */
export const MultiLine = (options: TStringOptions) =>
  Type.String({ ...options, pattern: MULTI_LINE_PATTERN });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    ),
  },
  { additionalProperties: true, $id: 'Problem' },
);

/** An error response: the shared Problem schema, served as application/problem+json. */
export function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: Type.Ref('Problem') } } };
}

/** Error responses every route may give, beside its own (`409: problemResponse(…)`, …). */
export function withErrors<T extends Record<number, unknown>>(responses: T) {
  return {
    400: problemResponse('The request is invalid (`errors` names each field)'),
    401: problemResponse('Not signed in, or the API key is invalid or revoked'),
    403: problemResponse('Not allowed: role, API key scope, or cross-site request'),
    404: problemResponse('Not found (also for objects of another workspace)'),
    429: problemResponse('Rate limited: wait Retry-After seconds'),
    500: problemResponse('Internal error (details are logged, never returned)'),
    ...responses,
  };
}

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export function page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  });
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
