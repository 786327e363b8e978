import { Type } from 'typebox';
import { Id, MultiLine, SingleLine, Timestamp } from '../http/schemas.js';
import { RulesSchema } from './rules.js';

const Url = Type.String({
  minLength: 1,
  maxLength: 4096,
  description: 'http(s) URL, at most 2,048 characters once normalized',
});
const NullableUrl = Type.Union([Url, Type.Null()]);
const Tag = SingleLine({ minLength: 1, maxLength: 50 });
const UtmValue = SingleLine({ minLength: 1, maxLength: 200 });

export const LINK_STATUSES = ['active', 'paused', 'disabled'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

export const Utm = Type.Object(
  {
    source: Type.Optional(UtmValue),
    medium: Type.Optional(UtmValue),
    campaign: Type.Optional(UtmValue),
    term: Type.Optional(UtmValue),
    content: Type.Optional(UtmValue),
  },
  { additionalProperties: false },
);

const RedirectType = Type.Union([
  Type.Literal(301),
  Type.Literal(302),
  Type.Literal(307),
  Type.Literal(308),
]);
const Status = Type.Union(LINK_STATUSES.map((s) => Type.Literal(s)));

const editable = {
  url: Url,
  title: Type.Union([SingleLine({ maxLength: 200 }), Type.Null()]),
  notes: Type.Union([MultiLine({ maxLength: 2000 }), Type.Null()]),
  tags: Type.Array(Tag, { maxItems: 20, uniqueItems: true }),
  rules: Type.Union([RulesSchema, Type.Null()]),
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  expiredUrl: NullableUrl,
  maxScans: Type.Union([Type.Integer({ minimum: 1, maximum: 1e12 }), Type.Null()]),
  fallbackUrl: NullableUrl,
  password: Type.Union([Type.String({ minLength: 4, maxLength: 128 }), Type.Null()]),
  redirectType: RedirectType,
  passQuery: Type.Boolean(),
  utm: Type.Union([Utm, Type.Null()]),
  status: Status,
  track: Type.Boolean({ description: 'false: redirect without recording anything (do not track)' }),
};

type Editable = typeof editable;
const optional = <K extends keyof Editable>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, Type.Optional(editable[k])])) as {
    [P in K]: ReturnType<typeof Type.Optional<Editable[P]>>;
  };

const EDITABLE_KEYS = Object.keys(editable) as (keyof Editable)[];

export const CreateLinkBody = Type.Object(
  {
    ...optional(EDITABLE_KEYS),
    url: Url,
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    domain: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  },
  { additionalProperties: false },
);

export const UpdateLinkBody = Type.Object(optional(EDITABLE_KEYS), {
  additionalProperties: false,
  minProperties: 1,
});

export const LinkParams = Type.Object({ linkId: Id }, { additionalProperties: false });

export const ListLinksQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    q: Type.Optional(
      SingleLine({
        minLength: 1,
        maxLength: 200,
        description: 'Text inside the code, title or destination, or the start of a tag',
      }),
    ),
    tag: Type.Optional(Tag),
    status: Type.Optional(Status),
    domain: Type.Optional(Type.String({ maxLength: 253 })),
    archived: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const LinkView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  domain: Type.String(),
  url: Type.String(),
  shortUrl: Type.String(),
  qrUrl: Type.String(),
  title: Type.Union([Type.String(), Type.Null()]),
  notes: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  rules: Type.Union([RulesSchema, Type.Null()]),
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  expiredUrl: Type.Union([Type.String(), Type.Null()]),
  maxScans: Type.Union([Type.Integer(), Type.Null()]),
  fallbackUrl: Type.Union([Type.String(), Type.Null()]),
  hasPassword: Type.Boolean(),
  redirectType: Type.Integer(),
  passQuery: Type.Boolean(),
  utm: Type.Union([Utm, Type.Null()]),
  status: Type.String(),
  track: Type.Boolean(),
  scans: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  archivedAt: Type.Union([Timestamp, Type.Null()]),
});

export const QrQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('svg'), Type.Literal('png')], { default: 'svg' }),
    ),
    size: Type.Optional(Type.Integer({ minimum: 21, maximum: 4096 })),
    ecc: Type.Optional(Type.Union(['L', 'M', 'Q', 'H'].map((l) => Type.Literal(l)))),
    margin: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
    fg: Type.Optional(Type.String({ pattern: '^#?[0-9a-fA-F]{3,8}$' })),
    bg: Type.Optional(Type.String({ pattern: '^(#?[0-9a-fA-F]{3,8}|transparent)$' })),
  },
  { additionalProperties: false },
);

export const SimulateBody = Type.Object(
  {
    userAgent: Type.Optional(Type.String({ maxLength: 1024 })),
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    language: Type.Optional(
      Type.String({ maxLength: 256, description: 'Accept-Language value or a primary tag' }),
    ),
    time: Type.Optional(Timestamp),
    query: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 1000 }), {
        maxProperties: 50,
      }),
    ),
    referrer: Type.Optional(Type.String({ maxLength: 2048 })),
    ip: Type.Optional(Type.String({ maxLength: 45 })),
    scanNumber: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const SimulateView = Type.Object({
  rule: Type.Union([Type.Integer(), Type.Null()]),
  variant: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.String(),
  url: Type.String(),
  appUrl: Type.Union([Type.String(), Type.Null()]),
  rules: Type.Array(
    Type.Object({
      index: Type.Integer(),
      matched: Type.Boolean(),
      failedOn: Type.Optional(Type.String()),
      visitor: Type.Optional(Type.String()),
    }),
  ),
  visitor: Type.Object({
    device: Type.String(),
    os: Type.Union([Type.String(), Type.Null()]),
    browser: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
    language: Type.Union([Type.String(), Type.Null()]),
  }),
});
