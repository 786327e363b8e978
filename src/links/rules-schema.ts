import { Type, type Static } from 'typebox';
import { SingleLine } from '../http/schemas.js';

/**
 * The smart-rules document of a link, as accepted by the API and stored as JSON. TypeBox gives
 * the shape; `validateRules` adds what JSON Schema cannot say (exactly one of url/split, valid
 * time zone and dates, safe URLs).
 */

export const DEVICES = ['mobile', 'tablet', 'desktop'] as const;
export const OPERATING_SYSTEMS = [
  'ios',
  'android',
  'windows',
  'macos',
  'linux',
  'chromeos',
] as const;
/**
 * Browser families. `chrome` includes Chromium, Chrome on iOS (CriOS) and Android WebViews;
 * `safari` includes Mobile Safari; `other` is any other browser or client (in-app browsers,
 * Internet Explorer, Yandex, UC, curl, …) — every user agent falls in exactly one family.
 */
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

export type Device = (typeof DEVICES)[number];
export type Os = (typeof OPERATING_SYSTEMS)[number];
export type Browser = (typeof BROWSERS)[number];
export type Weekday = (typeof WEEKDAYS)[number];

export const MAX_RULES = 50;
export const MAX_URL_LENGTH = 2048;

const HH_MM = '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$';
const RFC3339 =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2})$';
/** Lower-case DNS name (A-labels for IDN), as a referrer host is compared. */
const HOST_NAME =
  '^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$';
const QUERY_NAME = '^[A-Za-z0-9._~\\-\\[\\]]{1,64}$';

const enumList = <T extends string>(values: readonly T[], description: string) =>
  Type.Array(Type.Enum(values), {
    minItems: 1,
    maxItems: values.length,
    uniqueItems: true,
    description,
  });

const stringList = (pattern: string, maxItems: number, description: string) =>
  Type.Array(Type.String({ pattern }), { minItems: 1, maxItems, uniqueItems: true, description });

export const TimeWindowSchema = Type.Object(
  {
    from: Type.String({ pattern: HH_MM, description: 'Start, local time, inclusive.' }),
    to: Type.String({
      pattern: HH_MM,
      description:
        'End, local time, exclusive. Earlier than `from`: the window crosses midnight. Equal to `from`: 24 hours.',
    }),
    days: Type.Optional(
      enumList(
        WEEKDAYS,
        'Days on which the window starts (a 22:00–06:00 window on fri runs into sat). Default: every day.',
      ),
    ),
    tz: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_+\\-/]+$',
      description: 'IANA time zone, e.g. Europe/Berlin.',
    }),
  },
  { additionalProperties: false },
);

export const DateRangeSchema = Type.Object(
  {
    from: Type.Optional(Type.String({ pattern: RFC3339, description: 'RFC 3339, inclusive.' })),
    to: Type.Optional(Type.String({ pattern: RFC3339, description: 'RFC 3339, exclusive.' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ScanCountSchema = Type.Object(
  {
    lte: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_000_000_000,
        description: 'Scan number ≤ N (the first N scans).',
      }),
    ),
    gt: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 2_000_000_000, description: 'Scan number > N.' }),
    ),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);

export const ConditionsSchema = Type.Object(
  {
    device: Type.Optional(enumList(DEVICES, 'Device type.')),
    os: Type.Optional(enumList(OPERATING_SYSTEMS, 'Operating system.')),
    browser: Type.Optional(enumList(BROWSERS, 'Browser family; `other` is any other.')),
    country: Type.Optional(stringList('^[A-Z]{2}$', 250, 'ISO 3166-1 alpha-2 codes, upper case.')),
    language: Type.Optional(
      stringList('^[a-z]{2,3}$', 50, 'Primary language subtags (Accept-Language), lower case.'),
    ),
    time: Type.Optional(TimeWindowSchema),
    dates: Type.Optional(DateRangeSchema),
    query: Type.Optional(
      Type.Record(
        Type.String({ pattern: QUERY_NAME }),
        Type.Union([Type.Literal(true), Type.String({ maxLength: 256 })]),
        {
          minProperties: 1,
          maxProperties: 10,
          additionalProperties: false,
          description:
            'Query parameters: `true` = present with any value, a string = equal to it (case-sensitive).',
        },
      ),
    ),
    referrer: Type.Optional(
      stringList(HOST_NAME, 50, 'Referrer hosts; a host also matches its subdomains.'),
    ),
    scans: Type.Optional(ScanCountSchema),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'All given conditions must match.',
  },
);

export const SplitVariantSchema = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH }),
    weight: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false },
);

export const RuleSchema = Type.Object(
  {
    when: ConditionsSchema,
    url: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH })),
    split: Type.Optional(
      Type.Array(SplitVariantSchema, {
        minItems: 2,
        maxItems: 10,
        description: 'Weighted A/B/n split, sticky per visitor for a day.',
      }),
    ),
    appUrl: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_URL_LENGTH,
        description:
          'Deep link such as myapp://x, offered on an intermediate page, never as Location.',
      }),
    ),
    label: Type.Optional(SingleLine({ maxLength: 100 })),
  },
  { additionalProperties: false, description: 'Exactly one of `url` and `split`.' },
);

export const RulesSchema = Type.Array(RuleSchema, {
  maxItems: MAX_RULES,
  description: 'Ordered; the first rule whose conditions all match decides.',
});

export type TimeWindow = Static<typeof TimeWindowSchema>;
export type DateRange = Static<typeof DateRangeSchema>;
export type Conditions = Static<typeof ConditionsSchema>;
export type SplitVariant = Static<typeof SplitVariantSchema>;
export type Rule = Static<typeof RuleSchema>;
export type Rules = Static<typeof RulesSchema>;
