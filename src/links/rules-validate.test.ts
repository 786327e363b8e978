import { describe, expect, it } from 'vitest';
import { fixturePolicy } from '../../test/helpers/url-fixtures.js';
import { checkDestination } from './destination.js';
import { BROWSERS, RulesSchema, WEEKDAYS, validateRules } from './rules.js';

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

  /** One rule with these conditions and a valid URL; errors land under /rules/0/when/. */
  it.each<[when: unknown, field: string, message: string]>([
    [{}, '', 'must have at least one condition'],
    [{ weather: ['rain'] }, '/weather', 'is not an allowed property'],
    [{ device: ['phone'] }, '/device/0', 'must be one of: mobile, tablet, desktop'],
    [{ os: ['iOS'] }, '/os/0', 'must be one of: ios, android, windows, macos, linux, chromeos'],
    [{ os: ['ios', 'ios'] }, '/os', 'must not have duplicate items'],
    [{ os: [] }, '/os', 'must not have fewer than 1 items'],
    [{ browser: ['brave'] }, '/browser/0', `must be one of: ${BROWSERS.join(', ')}`],
    [
      { country: ['DE', 'at'] },
      '/country/1',
      'must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE',
    ],
    [
      { language: ['de-DE'] },
      '/language/0',
      'must be a primary language subtag in lower case, e.g. de',
    ],
    [
      { time: { from: '24:00', to: '06:00', tz: 'UTC' } },
      '/time/from',
      'must be a time of day HH:MM (00:00–23:59)',
    ],
    [{ time: { from: '09:00', to: '17:00' } }, '/time/tz', 'is required'],
    [
      { time: { from: '09:00', to: '17:00', tz: 'Europe/Atlantis' } },
      '/time/tz',
      'unknown IANA time zone "Europe/Atlantis"',
    ],
    [
      { time: { from: '09:00', to: '17:00', tz: 'UTC', days: ['monday'] } },
      '/time/days/0',
      `must be one of: ${WEEKDAYS.join(', ')}`,
    ],
    [{ dates: {} }, '/dates', 'must have from, to or both'],
    [
      { dates: { from: '2025-01-01T00:00:00' } },
      '/dates/from',
      'must be an RFC 3339 date-time such as 2025-01-31T18:00:00Z',
    ],
    [{ dates: { to: '2025-02-29T00:00:00Z' } }, '/dates/to', 'is not a valid date-time'],
    [
      { dates: { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } },
      '/dates/to',
      'must be after from',
    ],
    [{ query: { ref: false } }, '/query/ref', 'must be true (present) or a string (equal to)'],
    [{ query: { 'a b': true } }, '/query/a b', 'is not an allowed property'],
    [{ query: { 'a/b': true } }, '/query/a~1b', 'is not an allowed property'],
    [
      { referrer: ['Facebook.com'] },
      '/referrer/0',
      'must be a host name in lower case, e.g. example.com',
    ],
    [{ scans: { lte: 5, gt: 1 } }, '/scans', 'must have exactly one of lte or gt'],
    [{ scans: {} }, '/scans', 'must have exactly one of lte or gt'],
    [{ scans: { lte: 0 } }, '/scans/lte', 'must be >= 1'],
    [{ scans: { gt: 1.5 } }, '/scans/gt', 'must be integer'],
  ])('when %j → %s: %s', (when, field, message) => {
    expect(errorsOf([{ when, url: URL_A }])).toContainEqual({
      field: `/rules/0/when${field}`,
      message,
    });
  });

  const ios = { os: ['ios'] };
  const splitTo = (second: string, weight = 1) => [
    { url: URL_A, weight: 1 },
    { url: second, weight },
  ];
  it.each<[name: string, rules: unknown, field: string, message: string]>([
    ['not an array', { when: ios }, '/rules', 'must be array'],
    [
      '51 rules',
      Array(51).fill({ when: ios, url: URL_A }),
      '/rules',
      'must not have more than 50 items',
    ],
    ['no when', [{ url: URL_A }], '/rules/0/when', 'is required'],
    [
      'unknown field',
      [{ when: ios, url: URL_A, to: URL_B }],
      '/rules/0/to',
      'is not an allowed property',
    ],
    ['no url nor split', [{ when: ios }], '/rules/0', 'must have exactly one of url or split'],
    [
      'url and split',
      [{ when: ios, url: URL_A, split: splitTo(URL_B) }],
      '/rules/0',
      'must have exactly one of url or split',
    ],
    [
      'split of one',
      [{ when: ios, split: [{ url: URL_A, weight: 1 }] }],
      '/rules/0/split',
      'must not have fewer than 2 items',
    ],
    [
      'weight 0',
      [{ when: ios, split: splitTo(URL_B, 0) }],
      '/rules/0/split/1/weight',
      'must be >= 1',
    ],
    [
      'weight 1001',
      [{ when: ios, split: splitTo(URL_B, 1001) }],
      '/rules/0/split/1/weight',
      'must be <= 1000',
    ],
    [
      'script url',
      [{ when: ios, url: 'javascript:alert(1)' }],
      '/rules/0/url',
      'must start with http:// or https://',
    ],
    [
      'split loop',
      [{ when: ios, split: splitTo('https://www.qr.example/x') }],
      '/rules/0/split/1/url',
      'points to this service (redirect loop)',
    ],
    [
      'web app url',
      [{ when: ios, url: URL_A, appUrl: URL_B }],
      '/rules/0/appUrl',
      'the https: scheme is not allowed here',
    ],
    [
      'script app url',
      [{ when: ios, url: URL_A, appUrl: 'javascript:x' }],
      '/rules/0/appUrl',
      'the javascript: scheme is not allowed here',
    ],
    [
      'long label',
      [{ when: ios, url: URL_A, label: 'x'.repeat(101) }],
      '/rules/0/label',
      'must not have more than 100 characters',
    ],
  ])('%s → %s: %s', (_name, rules, field, message) => {
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

  it('bounds every string, list and object in the schema', () => {
    const unbounded: string[] = [];
    const visit = (schema: unknown, path: string): void => {
      if (typeof schema !== 'object' || schema === null) return;
      const node = schema as Record<string, unknown>;
      if (node.type === 'string' && node.maxLength === undefined && node.pattern === undefined) {
        if (node.const === undefined && node.enum === undefined) unbounded.push(path);
      }
      if (node.type === 'array' && node.maxItems === undefined) unbounded.push(path);
      if (node.type === 'object' && node.additionalProperties !== false) unbounded.push(path);
      for (const [key, child] of Object.entries(node)) visit(child, `${path}/${key}`);
    };
    visit(RulesSchema, '');
    expect(unbounded).toEqual([]);
  });
});
