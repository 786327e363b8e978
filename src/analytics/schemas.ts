import { Type } from 'typebox';
import { Id, SingleLine, Timestamp } from '../http/schemas.js';
import { MAX_RANGE_DAYS } from './range.js';

export const INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

export const AnalyticsQuery = Type.Object(
  {
    linkId: Type.Optional(Id),
    tag: Type.Optional(SingleLine({ minLength: 1, maxLength: 50 })),
    domain: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    via: Type.Optional(Type.Union([Type.Literal('qr'), Type.Literal('link')])),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    interval: Type.Optional(
      Type.Union(
        INTERVALS.map((i) => Type.Literal(i)),
        { default: 'day' },
      ),
    ),
    tz: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'IANA time zone for buckets, default UTC',
      }),
    ),
    top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
);

const Totals = Type.Object({
  total: Type.Integer(),
  human: Type.Integer(),
  bot: Type.Integer(),
  unique: Type.Integer(),
  qr: Type.Integer(),
  link: Type.Integer(),
});

const Point = Type.Object({
  t: Timestamp,
  total: Type.Integer(),
  human: Type.Integer(),
  unique: Type.Integer(),
});
const Entry = Type.Object({ key: Type.String(), total: Type.Integer(), human: Type.Integer() });

export const AnalyticsView = Type.Object({
  from: Timestamp,
  to: Timestamp,
  interval: Type.String(),
  tz: Type.String(),
  totals: Totals,
  series: Type.Array(Point),
  breakdowns: Type.Object({
    country: Type.Array(Entry),
    device: Type.Array(Entry),
    os: Type.Array(Entry),
    browser: Type.Array(Entry),
    referrer: Type.Array(Entry),
    language: Type.Array(Entry),
    via: Type.Array(Entry),
    variant: Type.Array(Entry),
    class: Type.Array(Entry),
  }),
});

export const ExportQuery = Type.Object(
  {
    linkId: Type.Optional(Id),
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: `RFC 3339, UTC; default ${MAX_RANGE_DAYS} days before \`to\` (the widest range)`,
      }),
    ),
    to: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
