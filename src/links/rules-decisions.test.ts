import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/helpers/random.js';
import { visitor } from '../../test/helpers/visitor.js';
import { compileRules, evaluateRules, explainRules, type Conditions, type Rules } from './rules.js';

const DEFAULT = 'https://default.example/';

const rules: Rules = [
  { when: { os: ['ios'] }, url: 'https://apps.apple.com/app/id1', appUrl: 'myapp://home' },
  { when: { os: ['android'] }, url: 'https://play.google.com/store/apps/details?id=x' },
  {
    when: { country: ['DE', 'AT'], language: ['de'] },
    label: 'German speakers',
    split: [
      { url: 'https://example.com/de-a', weight: 70 },
      { url: 'https://example.com/de-b', weight: 30 },
    ],
  },
  { when: { country: ['DE'] }, url: 'https://example.com/de' },
];
const compiled = compileRules(rules);

describe('evaluateRules', () => {
  it.each([
    ['ios', { os: 'ios' as const }, 0, 'https://apps.apple.com/app/id1'],
    ['android', { os: 'android' as const }, 1, 'https://play.google.com/store/apps/details?id=x'],
    ['German in Austria', { country: 'AT', language: 'de' }, 2, 'https://example.com/de-a'],
    ['English in Germany', { country: 'DE', language: 'en' }, 3, 'https://example.com/de'],
    ['English in France', { country: 'FR', language: 'en' }, null, DEFAULT],
  ])('%s → rule %s', (_name, facts, ruleIndex, url) => {
    const decision = evaluateRules(compiled, DEFAULT, visitor({ ...facts, bucket: 0.1 }));
    expect(decision).toMatchObject({ ruleIndex, url });
  });

  it('lets the first matching rule win', () => {
    // An iPhone in Germany matches rules 0 and 3; rule 0 comes first.
    const decision = evaluateRules(compiled, DEFAULT, visitor({ os: 'ios', country: 'DE' }));
    expect(decision).toEqual({
      ruleIndex: 0,
      variantIndex: null,
      url: 'https://apps.apple.com/app/id1',
      appUrl: 'myapp://home',
      reason: 'rules[0] matched on os',
    });
    const reordered = compileRules([rules[3], rules[0]].filter((r) => r !== undefined));
    expect(evaluateRules(reordered, DEFAULT, visitor({ os: 'ios', country: 'DE' })).url).toBe(
      'https://example.com/de',
    );
  });

  it('falls back to the default destination, without allocating per scan', () => {
    const first = evaluateRules(compiled, DEFAULT, visitor({ os: null, country: 'FR' }));
    expect(first).toEqual({
      ruleIndex: null,
      variantIndex: null,
      url: DEFAULT,
      appUrl: null,
      reason: 'no rule matched; default destination',
    });
    expect(evaluateRules(compiled, DEFAULT, visitor({ os: null, country: 'FR' }))).toBe(first);
    expect(evaluateRules(compiled, 'https://new.example/', visitor({ os: null })).url).toBe(
      'https://new.example/',
    );
    const none = compileRules([]);
    expect(evaluateRules(none, DEFAULT, visitor()).reason).toBe('no rules; default destination');
  });

  it('calls only the context methods the rules need', () => {
    const ctx = visitor({ os: 'android' });
    evaluateRules(compileRules([]), DEFAULT, ctx);
    expect([...ctx.calls]).toEqual([]);

    const cheapFirst = compileRules([
      { when: { os: ['ios'], query: { src: 'qr' }, country: ['DE'] }, url: 'https://a.example/' },
    ]);
    const noQuery = visitor();
    evaluateRules(cheapFirst, DEFAULT, noQuery);
    expect([...noQuery.calls]).toEqual(['query']);

    const single = visitor({ os: 'android' });
    evaluateRules(compiled, DEFAULT, single);
    expect([...single.calls]).toEqual(['os']);
  });
});

describe('weighted splits', () => {
  const split = (weights: number[]) =>
    compileRules([
      {
        when: { scans: { gt: 0 } },
        split: weights.map((weight, i) => ({ url: `https://example.com/v${i}`, weight })),
      },
    ]);

  it.each([
    [[70, 30], 0.02],
    [[50, 30, 20], 0.02],
    [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0.01],
    [[999, 1], 0.005],
  ])('distributes 10,000 visitors as %j (±%s)', (weights, tolerance) => {
    const compiledSplit = split(weights);
    const random = seededRandom(20240603);
    const counts = weights.map(() => 0);
    for (let i = 0; i < 10_000; i++) {
      const { variantIndex } = evaluateRules(compiledSplit, DEFAULT, visitor({ bucket: random() }));
      const index = variantIndex ?? -1;
      counts[index] = (counts[index] ?? 0) + 1;
    }
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((weight, i) => {
      expect(Math.abs((counts[i] ?? 0) / 10_000 - weight / total)).toBeLessThanOrEqual(tolerance);
    });
  });

  it('keeps a visitor on one variant (same bucket, same variant)', () => {
    const compiledSplit = split([70, 30]);
    const random = seededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const bucket = random();
      const first = evaluateRules(compiledSplit, DEFAULT, visitor({ bucket }));
      for (let repeat = 0; repeat < 3; repeat++) {
        expect(evaluateRules(compiledSplit, DEFAULT, visitor({ bucket }))).toBe(first);
      }
    }
  });

  it.each([
    [0, 0],
    [0.6999, 0],
    [0.7, 1],
    [0.999999, 1],
    [Number.NaN, 0],
    [1, 0],
    [-0.5, 0],
  ])('maps bucket %s to variant %s', (bucket, variantIndex) => {
    expect(evaluateRules(split([70, 30]), DEFAULT, visitor({ bucket })).variantIndex).toBe(
      variantIndex,
    );
  });

  it('names the variant in the reason', () => {
    const decision = evaluateRules(
      compiled,
      DEFAULT,
      visitor({ country: 'DE', language: 'de', bucket: 0.9 }),
    );
    expect(decision).toMatchObject({ ruleIndex: 2, variantIndex: 1, appUrl: null });
    expect(decision.reason).toBe(
      'rules[2] ("German speakers") matched on language, country; split[1]',
    );
  });
});

describe('explainRules', () => {
  it('explains a match with the visitor’s values', () => {
    const ctx = visitor({ os: 'windows', country: 'AT', language: 'de', bucket: 0.25 });
    expect(explainRules(compiled, DEFAULT, ctx)).toEqual({
      decision: {
        ruleIndex: 2,
        variantIndex: 0,
        url: 'https://example.com/de-a',
        appUrl: null,
        reason:
          'rules[2] ("German speakers") matched: language=de, country=AT; split[0] chosen for visitor bucket 0.250',
      },
      rules: [
        { index: 0, matched: false, failedOn: 'os', visitor: 'windows' },
        { index: 1, matched: false, failedOn: 'os', visitor: 'windows' },
        { index: 2, matched: true },
        { index: 3, matched: false, failedOn: 'country', visitor: 'AT' },
      ],
    });
  });

  it('explains why nothing matched', () => {
    const { decision } = explainRules(compiled, DEFAULT, visitor({ os: null, country: 'FR' }));
    expect(decision).toMatchObject({ ruleIndex: null, url: DEFAULT });
    expect(decision.reason).toBe(
      'no rule matched: rules[0] failed on os (visitor: unknown); rules[1] failed on os (visitor: unknown); ' +
        'rules[2] failed on language (visitor: en); rules[3] failed on country (visitor: FR); default destination',
    );
  });

  it.each<[Conditions, string, string]>([
    [
      { time: { from: '18:00', to: '20:00', tz: 'Europe/Berlin' } },
      'time',
      'Mon 14:00 Europe/Berlin',
    ],
    [{ dates: { from: '2030-01-01T00:00:00Z' } }, 'dates', '2024-06-03T12:00:00.000Z'],
    [{ query: { src: 'qr', ref: true } }, 'query', 'src="mail", ref absent'],
    [{ referrer: ['t.co'] }, 'referrer', 'none'],
    [{ scans: { lte: 1 } }, 'scans', '5'],
    [{ device: ['mobile'] }, 'device', 'desktop'],
    [{ browser: ['safari'] }, 'browser', 'unknown'],
  ])('reports the visitor’s value for %j', (when, failedOn, seen) => {
    const ctx = visitor({ query: { src: 'mail' }, scan: 5, browser: null });
    const explanation = explainRules(
      compileRules([{ when, url: 'https://a.example/' }]),
      DEFAULT,
      ctx,
    );
    expect(explanation.rules).toEqual([{ index: 0, matched: false, failedOn, visitor: seen }]);
  });
});
