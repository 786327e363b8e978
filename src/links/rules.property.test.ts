import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BROWSERS,
  DEVICES,
  OPERATING_SYSTEMS,
  WEEKDAYS,
  compileRules,
  evaluateRules,
  explainRules,
  type Conditions,
  type Rule,
  type VisitorContext,
} from './rules.js';

const DEFAULT = 'https://default.example/';
const pad = (n: number) => String(n).padStart(2, '0');
const someOf = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 });

const clockTime = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${pad(h)}:${pad(m)}`);
const instant = fc.integer({ min: 0, max: 4_102_444_800_000 }); // 1970–2100
const rfc3339 = instant.map((ms) => new Date(ms).toISOString());
// Includes zones with 30/45-minute offsets and one this runtime does not know.
const zone = fc.constantFrom(
  'UTC',
  'Europe/Berlin',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Mars/Olympus_Mons',
);

const conditions: fc.Arbitrary<Conditions> = fc
  .record(
    {
      device: someOf(DEVICES),
      os: someOf(OPERATING_SYSTEMS),
      browser: someOf(BROWSERS),
      country: someOf(['DE', 'AT', 'US', 'FR', 'JP']),
      language: someOf(['de', 'en', 'fr', 'ja']),
      time: fc.record(
        { from: clockTime, to: clockTime, days: someOf(WEEKDAYS), tz: zone },
        { requiredKeys: ['from', 'to', 'tz'] },
      ),
      dates: fc.record({ from: rfc3339, to: rfc3339 }, { requiredKeys: [] }),
      query: fc.dictionary(
        fc.constantFrom('src', 'ref', 'utm_source'),
        fc.oneof(fc.constant(true as const), fc.constantFrom('', 'qr', 'mail')),
        { minKeys: 1, maxKeys: 3 },
      ),
      referrer: someOf(['facebook.com', 't.co', 'example.org']),
      scans: fc.oneof(
        fc.record({ lte: fc.integer({ min: 1, max: 20 }) }),
        fc.record({ gt: fc.integer({ min: 0, max: 20 }) }),
      ),
    },
    { requiredKeys: [] },
  )
  .filter((when) => Object.keys(when).length > 0);

const destination = fc.webUrl({ validSchemes: ['https'] });
const rule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record(
    { when: conditions, url: destination, appUrl: fc.constant('myapp://x'), label: fc.string() },
    { requiredKeys: ['when', 'url'] },
  ),
  fc.record({
    when: conditions,
    split: fc.array(fc.record({ url: destination, weight: fc.integer({ min: 1, max: 1000 }) }), {
      minLength: 2,
      maxLength: 10,
    }),
  }),
);

/** Any values the context's types allow, including the awkward ones. */
const context: fc.Arbitrary<VisitorContext> = fc
  .record({
    device: fc.constantFrom(...DEVICES),
    os: fc.option(fc.constantFrom(...OPERATING_SYSTEMS)),
    browser: fc.option(fc.constantFrom(...BROWSERS)),
    country: fc.option(fc.oneof(fc.constantFrom('DE', 'US'), fc.string())),
    language: fc.option(fc.oneof(fc.constantFrom('de', 'en'), fc.string())),
    now: fc.oneof(instant, fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 9e15)),
    query: fc.func(fc.option(fc.oneof(fc.constantFrom('', 'qr', 'mail'), fc.string()))),
    referrer: fc.option(fc.oneof(fc.constantFrom('m.facebook.com', 't.co'), fc.string())),
    scan: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.double()),
    bucket: fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.double()),
  })
  .map((v) => ({
    device: () => v.device,
    os: () => v.os,
    browser: () => v.browser,
    country: () => v.country,
    language: () => v.language,
    now: () => v.now,
    query: (name: string) => v.query(name),
    referrerHost: () => v.referrer,
    scanNumber: () => v.scan,
    visitorBucket: () => v.bucket,
  }));

describe('rules properties', () => {
  it('never throw, and always answer with a URL of the rules or the default', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), context, (rules, ctx) => {
        const compiled = compileRules(rules);
        const decision = evaluateRules(compiled, DEFAULT, ctx);
        if (decision.ruleIndex === null) {
          expect(decision.url).toBe(DEFAULT);
          return;
        }
        const chosen = rules[decision.ruleIndex];
        const urls = chosen?.split?.map((variant) => variant.url) ?? [chosen?.url];
        expect(urls).toContain(decision.url);
        expect(decision.url).toBe(urls[decision.variantIndex ?? 0]);
        expect(decision.appUrl).toBe(chosen?.appUrl ?? null);
      }),
      { numRuns: 3000 },
    );
  });

  it('explain agrees with evaluate, and the decision is the first matching rule', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), context, (rules, ctx) => {
        const compiled = compileRules(rules);
        const decision = evaluateRules(compiled, DEFAULT, ctx);
        const explanation = explainRules(compiled, DEFAULT, ctx);
        expect({ ...explanation.decision, reason: decision.reason }).toEqual(decision);
        expect(explanation.decision.reason.length).toBeGreaterThan(0);
        const firstMatch = explanation.rules.findIndex((r) => r.matched);
        expect(decision.ruleIndex).toBe(firstMatch === -1 ? null : firstMatch);
      }),
      { numRuns: 1000 },
    );
  });
});
