import { describe, expect, it } from 'vitest';
import type { Rules } from '../api/links';
import {
  describeConditions,
  draftFromRules,
  rulesFromDraft,
  rulesReducer,
  splitShares,
  unusedKinds,
  type DraftRule,
} from './rules';

const names = { country: (code: string) => ({ DE: 'Germany', AT: 'Austria' })[code] ?? code };

const everyKind: Rules = [
  {
    label: 'Everything',
    when: {
      device: ['mobile'],
      os: ['ios'],
      browser: ['safari'],
      country: ['DE', 'AT'],
      language: ['de'],
      time: { from: '21:00', to: '06:00', tz: 'Europe/Berlin', days: ['fri', 'sat'] },
      dates: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
      query: { ref: true, lang: 'de' },
      referrer: ['news.example'],
      scans: { lte: 100 },
    },
    url: 'https://a.example/',
    appUrl: 'myapp://open',
  },
  {
    when: { device: ['desktop'] },
    split: [
      { url: 'https://b.example/', weight: 1 },
      { url: 'https://c.example/', weight: 3 },
    ],
  },
];

describe('rule builder state', () => {
  it('round-trips every condition type of the API unchanged', () => {
    const { rules, errors } = rulesFromDraft(draftFromRules(everyKind));
    expect(errors).toEqual({});
    expect(rules).toEqual(everyKind);
  });

  it('edits query parameters as rows ("present" is an empty value)', () => {
    const [rule] = draftFromRules(everyKind);
    expect(rule?.when.query).toEqual([
      { name: 'ref', value: '' },
      { name: 'lang', value: 'de' },
    ]);
  });

  it('adds, moves, duplicates and removes rules', () => {
    let state = rulesReducer([], { type: 'add' });
    state = rulesReducer(state, {
      type: 'set',
      index: 0,
      changes: { url: 'https://one.example/' },
    });
    state = rulesReducer(state, { type: 'add' });
    state = rulesReducer(state, {
      type: 'set',
      index: 1,
      changes: { url: 'https://two.example/' },
    });
    state = rulesReducer(state, { type: 'move', index: 1, by: -1 });
    expect(state.map((r) => r.url)).toEqual(['https://two.example/', 'https://one.example/']);
    expect(rulesReducer(state, { type: 'move', index: 0, by: -1 })).toBe(state);
    state = rulesReducer(state, { type: 'duplicate', index: 0 });
    expect(state.map((r) => r.url)).toEqual([
      'https://two.example/',
      'https://two.example/',
      'https://one.example/',
    ]);
    expect(new Set(state.map((r) => r.key)).size).toBe(3);
    state = rulesReducer(state, { type: 'remove', index: 0 });
    expect(state.map((r) => r.url)).toEqual(['https://two.example/', 'https://one.example/']);
  });

  it('adds each condition kind once, with a sensible default, and removes it', () => {
    let state = rulesReducer([], { type: 'add' });
    state = rulesReducer(state, {
      type: 'addCondition',
      index: 0,
      kind: 'time',
      timeZone: 'Asia/Tokyo',
    });
    expect(state[0]?.when.time).toEqual({ from: '09:00', to: '17:00', tz: 'Asia/Tokyo' });
    const again = rulesReducer(state, {
      type: 'addCondition',
      index: 0,
      kind: 'time',
      timeZone: 'UTC',
    });
    expect(again[0]?.when.time?.tz).toBe('Asia/Tokyo');
    expect(unusedKinds(state[0] as DraftRule)).not.toContain('time');
    state = rulesReducer(state, { type: 'removeCondition', index: 0, kind: 'time' });
    expect(state[0]?.when).toEqual({});
    expect(unusedKinds(state[0] as DraftRule)).toHaveLength(10);
  });

  it('turns a URL into a split with the URL as variant A, and back', () => {
    let state = rulesReducer([], { type: 'add' });
    state = rulesReducer(state, { type: 'set', index: 0, changes: { url: 'https://a.example/' } });
    state = rulesReducer(state, { type: 'set', index: 0, changes: { target: 'split' } });
    expect(state[0]?.split).toEqual([
      { url: 'https://a.example/', weight: 50 },
      { url: '', weight: 50 },
    ]);
  });

  it('names the fields of what is missing, as the API does', () => {
    let state = rulesReducer([], { type: 'add' });
    state = rulesReducer(state, {
      type: 'addCondition',
      index: 0,
      kind: 'country',
      timeZone: 'UTC',
    });
    state = rulesReducer(state, {
      type: 'setCondition',
      index: 0,
      kind: 'country',
      value: ['DE', 'germany'],
    });
    state = rulesReducer(state, { type: 'add' });
    state = rulesReducer(state, { type: 'set', index: 1, changes: { target: 'split' } });
    const { errors } = rulesFromDraft(state);
    expect(errors).toEqual({
      'rules.0.when.country': 'not a two-letter country code: germany',
      'rules.0.url': 'enter the destination',
      'rules.1.when': 'add at least one condition',
      'rules.1.split.0.url': 'enter the destination',
      'rules.1.split.1.url': 'enter the destination',
    });
  });

  it('checks time windows, date ranges, scan numbers and query names', () => {
    const draft = draftFromRules([
      {
        when: {
          time: { from: '9:00', to: '17:00', tz: 'UTC' },
          dates: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
          scans: { lte: 0 },
        },
        url: 'https://a.example/',
      },
    ]);
    const [rule] = draft;
    if (rule) rule.when.query = [{ name: 'bad name', value: '' }];
    expect(rulesFromDraft(draft).errors).toEqual({
      'rules.0.when.time': 'use times like 09:00',
      'rules.0.when.dates': 'the end must be after the start',
      'rules.0.when.scans': 'a whole number of 1 or more',
      'rules.0.when.query': 'parameter names use letters, digits and . _ ~ - [ ]',
    });
  });

  it('describes a rule in one line', () => {
    const [first] = draftFromRules(everyKind);
    expect(describeConditions(first!.when, names)).toBe(
      'Mobile · iOS · Safari · Germany, Austria · language de · 21:00–06:00 Europe/Berlin · within dates · ?ref&lang=de · from news.example · first 100 scans',
    );
    expect(describeConditions({}, names)).toBe('No conditions yet');
  });
});

describe('A/B split shares', () => {
  it('gives whole percentages that add up to 100', () => {
    expect(
      splitShares([
        { url: '', weight: 1 },
        { url: '', weight: 3 },
      ]),
    ).toEqual([25, 75]);
    expect(splitShares([1, 1, 1].map((weight) => ({ url: '', weight })))).toEqual([34, 33, 33]);
    expect(
      splitShares([
        { url: '', weight: 0 },
        { url: '', weight: 0 },
      ]),
    ).toEqual([0, 0]);
  });
});
