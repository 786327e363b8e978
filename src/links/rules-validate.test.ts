import { describe, expect, it } from 'vitest';
import { fixturePolicy } from '../../test/helpers/url-fixtures.js';
import { checkDestination } from './destination.js';
import { RulesSchema, validateRules } from './rules.js';

const policy = fixturePolicy();
const checkUrl = (url: string) => checkDestination(url, policy);
const URL_A = 'https://a.example/';
const URL_B = 'https://b.example/';

/** The field errors for a document, or [] when it is valid. */
function errorsOf(rules: unknown): { field: string; message: string }[] {
  const result = validateRules(rules, checkUrl);
  return result.ok ? [] : result.errors;
}

describe('validateRules', () => {
  it('accepts a document using every condition and returns normalized URLs', () => {
    const result = validateRules(
      [
        {
          when: {
            device: ['mobile', 'tablet'],
            os: ['ios', 'android'],
            browser: ['safari', 'other'],
            country: ['DE', 'AT'],
            language: ['de'],
            time: { from: '22:00', to: '06:00', days: ['fri', 'sat'], tz: 'Europe/Berlin' },
            dates: { from: '2025-01-01T00:00:00+01:00', to: '2025-12-31T23:59:59.999Z' },
            query: { utm_source: 'qr', ref: true },
            referrer: ['facebook.com', 'xn--bcher-kva.de'],
            scans: { lte: 100 },
          },
          split: [
            { url: 'HTTPS://Bücher.DE/a', weight: 70 },
            { url: 'https://example.com', weight: 30 },
          ],
          appUrl: 'MyApp://offers/1',
          label: 'Night owls',
        },
        { when: { scans: { gt: 100 } }, url: 'https://example.com:443/late' },
      ],
      checkUrl,
    );
    expect(result).toEqual({
      ok: true,
      rules: [
        expect.objectContaining({
          split: [
            { url: 'https://xn--bcher-kva.de/a', weight: 70 },
            { url: 'https://example.com/', weight: 30 },
          ],
          appUrl: 'myapp://offers/1',
        }),
        { when: { scans: { gt: 100 } }, url: 'https://example.com/late' },
      ],
    });
  });

  it('accepts no rules at all', () => {
    expect(validateRules([], checkUrl)).toEqual({ ok: true, rules: [] });
  });

  it.each<[string, unknown, string, string]>([
    ['not an array', { when: {} }, '/rules', 'must be array'],
    [
      'too many rules',
      Array(51).fill({ when: { os: ['ios'] }, url: URL_A }),
      '/rules',
      'must not have more than 50 items',
    ],
    ['no when', [{ url: URL_A }], '/rules/0/when', 'is required'],
    ['empty when', [{ when: {}, url: URL_A }], '/rules/0/when', 'must have at least one condition'],
    [
      'unknown condition',
      [{ when: { weather: ['rain'] }, url: URL_A }],
      '/rules/0/when/weather',
      'is not an allowed property',
    ],
    [
      'unknown rule field',
      [{ when: { os: ['ios'] }, url: URL_A, to: URL_B }],
      '/rules/0/to',
      'is not an allowed property',
    ],
    [
      'neither url nor split',
      [{ when: { os: ['ios'] } }],
      '/rules/0',
      'must have exactly one of url or split',
    ],
    [
      'both url and split',
      [
        {
          when: { os: ['ios'] },
          url: URL_A,
          split: [
            { url: URL_A, weight: 1 },
            { url: URL_B, weight: 1 },
          ],
        },
      ],
      '/rules/0',
      'must have exactly one of url or split',
    ],
    [
      'bad device',
      [{ when: { device: ['phone'] }, url: URL_A }],
      '/rules/0/when/device/0',
      'must be one of: mobile, tablet, desktop',
    ],
    [
      'upper-case os',
      [{ when: { os: ['iOS'] }, url: URL_A }],
      '/rules/0/when/os/0',
      'must be one of: ios, android, windows, macos, linux, chromeos',
    ],
    [
      'duplicate os',
      [{ when: { os: ['ios', 'ios'] }, url: URL_A }],
      '/rules/0/when/os',
      'must not have duplicate items',
    ],
    [
      'empty os list',
      [{ when: { os: [] }, url: URL_A }],
      '/rules/0/when/os',
      'must not have fewer than 1 items',
    ],
    [
      'lower-case country',
      [{ when: { country: ['DE', 'at'] }, url: URL_A }],
      '/rules/0/when/country/1',
      'must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE',
    ],
    [
      'language with region',
      [{ when: { language: ['de-DE'] }, url: URL_A }],
      '/rules/0/when/language/0',
      'must be a primary language subtag in lower case, e.g. de',
    ],
    [
      'bad time of day',
      [{ when: { time: { from: '24:00', to: '06:00', tz: 'UTC' } }, url: URL_A }],
      '/rules/0/when/time/from',
      'must be a time of day HH:MM (00:00–23:59)',
    ],
    [
      'time without zone',
      [{ when: { time: { from: '09:00', to: '17:00' } }, url: URL_A }],
      '/rules/0/when/time/tz',
      'is required',
    ],
    [
      'unknown zone',
      [{ when: { time: { from: '09:00', to: '17:00', tz: 'Europe/Atlantis' } }, url: URL_A }],
      '/rules/0/when/time/tz',
      'unknown IANA time zone "Europe/Atlantis"',
    ],
    [
      'bad weekday',
      [{ when: { time: { from: '09:00', to: '17:00', tz: 'UTC', days: ['monday'] } }, url: URL_A }],
      '/rules/0/when/time/days/0',
      'must be one of: mon, tue, wed, thu, fri, sat, sun',
    ],
    [
      'empty dates',
      [{ when: { dates: {} }, url: URL_A }],
      '/rules/0/when/dates',
      'must have from, to or both',
    ],
    [
      'date without zone',
      [{ when: { dates: { from: '2025-01-01T00:00:00' } }, url: URL_A }],
      '/rules/0/when/dates/from',
      'must be an RFC 3339 date-time such as 2025-01-31T18:00:00Z',
    ],
    [
      'impossible date',
      [{ when: { dates: { to: '2025-02-29T00:00:00Z' } }, url: URL_A }],
      '/rules/0/when/dates/to',
      'is not a valid date-time',
    ],
    [
      'dates out of order',
      [
        {
          when: { dates: { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } },
          url: URL_A,
        },
      ],
      '/rules/0/when/dates/to',
      'must be after from',
    ],
    [
      'query value false',
      [{ when: { query: { ref: false } }, url: URL_A }],
      '/rules/0/when/query/ref',
      'must be true (present) or a string (equal to)',
    ],
    [
      'query name with space',
      [{ when: { query: { 'a b': true } }, url: URL_A }],
      '/rules/0/when/query/a b',
      'is not an allowed property',
    ],
    [
      'query name with slash',
      [{ when: { query: { 'a/b': true } }, url: URL_A }],
      '/rules/0/when/query/a~1b',
      'is not an allowed property',
    ],
    [
      'upper-case referrer',
      [{ when: { referrer: ['Facebook.com'] }, url: URL_A }],
      '/rules/0/when/referrer/0',
      'must be a host name in lower case, e.g. example.com',
    ],
    [
      'both lte and gt',
      [{ when: { scans: { lte: 5, gt: 1 } }, url: URL_A }],
      '/rules/0/when/scans',
      'must have exactly one of lte or gt',
    ],
    [
      'neither lte nor gt',
      [{ when: { scans: {} }, url: URL_A }],
      '/rules/0/when/scans',
      'must have exactly one of lte or gt',
    ],
    [
      'scans lte 0',
      [{ when: { scans: { lte: 0 } }, url: URL_A }],
      '/rules/0/when/scans/lte',
      'must be >= 1',
    ],
    [
      'fractional scans',
      [{ when: { scans: { gt: 1.5 } }, url: URL_A }],
      '/rules/0/when/scans/gt',
      'must be integer',
    ],
    [
      'split of one',
      [{ when: { os: ['ios'] }, split: [{ url: URL_A, weight: 1 }] }],
      '/rules/0/split',
      'must not have fewer than 2 items',
    ],
    [
      'weight 0',
      [
        {
          when: { os: ['ios'] },
          split: [
            { url: URL_A, weight: 0 },
            { url: URL_B, weight: 1 },
          ],
        },
      ],
      '/rules/0/split/0/weight',
      'must be >= 1',
    ],
    [
      'weight 1001',
      [
        {
          when: { os: ['ios'] },
          split: [
            { url: URL_A, weight: 1 },
            { url: URL_B, weight: 1001 },
          ],
        },
      ],
      '/rules/0/split/1/weight',
      'must be <= 1000',
    ],
    [
      'dangerous url',
      [{ when: { os: ['ios'] }, url: 'javascript:alert(1)' }],
      '/rules/0/url',
      'must start with http:// or https://',
    ],
    [
      'loop in a split',
      [
        {
          when: { os: ['ios'] },
          split: [
            { url: URL_A, weight: 1 },
            { url: 'https://www.qr.example/x', weight: 1 },
          ],
        },
      ],
      '/rules/0/split/1/url',
      'points to this service (redirect loop)',
    ],
    [
      'web app url',
      [{ when: { os: ['ios'] }, url: URL_A, appUrl: 'https://example.com/' }],
      '/rules/0/appUrl',
      'the https: scheme is not allowed here',
    ],
    [
      'script app url',
      [{ when: { os: ['ios'] }, url: URL_A, appUrl: 'javascript:alert(1)' }],
      '/rules/0/appUrl',
      'the javascript: scheme is not allowed here',
    ],
    [
      'long label',
      [{ when: { os: ['ios'] }, url: URL_A, label: 'x'.repeat(101) }],
      '/rules/0/label',
      'must not have more than 100 characters',
    ],
  ])('%s → %s', (_name, rules, field, message) => {
    expect(errorsOf(rules)).toContainEqual({ field, message });
  });

  it('reports errors of later rules with their own index', () => {
    const rules = [
      { when: { os: ['ios'] }, url: URL_A },
      { when: { os: ['android'] }, url: URL_B },
      {
        when: { country: ['DE'] },
        split: [
          { url: URL_A, weight: 1 },
          { url: 'file:///x', weight: 1 },
        ],
      },
    ];
    expect(errorsOf(rules)).toEqual([
      { field: '/rules/2/split/1/url', message: 'must start with http:// or https://' },
    ]);
  });

  it('prefixes fields with the base path it is given', () => {
    const result = validateRules([{ when: { os: ['ios'] } }], checkUrl, '/links/4/rules');
    expect(result).toEqual({
      ok: false,
      errors: [{ field: '/links/4/rules/0', message: 'must have exactly one of url or split' }],
    });
  });

  it('bounds the number of errors', () => {
    const rules = Array.from({ length: 50 }, () => ({ when: { os: ['x'] }, url: 'ftp://x' }));
    expect(errorsOf(rules).length).toBeLessThanOrEqual(20);
  });

  it('bounds every string and list in the schema', () => {
    const unbounded: string[] = [];
    const visit = (schema: unknown, path: string): void => {
      if (typeof schema !== 'object' || schema === null) return;
      const node = schema as Record<string, unknown>;
      if (node.type === 'string' && node.maxLength === undefined && node.pattern === undefined) {
        if (node.const === undefined && node.enum === undefined) unbounded.push(path);
      }
      if (node.type === 'array' && node.maxItems === undefined) unbounded.push(path);
      for (const [key, child] of Object.entries(node)) visit(child, `${path}/${key}`);
    };
    visit(RulesSchema, '');
    expect(unbounded).toEqual([]);
  });
});
