import { Type, type TSchema } from 'typebox';

/** Shared request/response building blocks; each domain's schemas.ts composes these. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z]{3}_[0-9a-z]{26}$' });
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339, UTC' });

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

/** Error responses every authenticated route may give. */
export function withErrors<T extends Record<number, TSchema>>(responses: T) {
  const problem = Type.Ref('Problem');
  return {
    ...responses,
    400: problem,
    401: problem,
    403: problem,
    404: problem,
    429: problem,
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
