import { describe, expect, it } from 'vitest';
import { visitor, type VisitorFacts } from '../../test/helpers/visitor.js';
import { compileRules, evaluateRules, type Conditions } from './rules.js';

const DEFAULT = 'https://default.example/';
const RULE_URL = 'https://rule.example/';

/** Whether a single rule with these conditions matches this visitor. */
function matches(when: Conditions, facts: Partial<VisitorFacts>): boolean {
  const compiled = compileRules([{ when, url: RULE_URL }]);
  return evaluateRules(compiled, DEFAULT, visitor(facts)).ruleIndex === 0;
}

type Case = [name: string, when: Conditions, facts: Partial<VisitorFacts>, expected: boolean];

const officeHours: Conditions = { time: { from: '09:00', to: '17:00', tz: 'Europe/Berlin' } };
const fridayNight: Conditions = {
  time: { from: '22:00', to: '06:00', days: ['fri'], tz: 'Europe/Berlin' },
};
const weekendAllDay: Conditions = {
  time: { from: '00:00', to: '00:00', days: ['sat', 'sun'], tz: 'Europe/Berlin' },
};
const losAngelesFridayEvening: Conditions = {
  time: { from: '18:00', to: '23:00', days: ['fri'], tz: 'America/Los_Angeles' },
};
const tokyoMondayMorning: Conditions = {
  time: { from: '00:00', to: '12:00', days: ['mon'], tz: 'Asia/Tokyo' },
};
const berlinTwoToThree: Conditions = { time: { from: '02:00', to: '03:00', tz: 'Europe/Berlin' } };

const cases: Case[] = [
  ['device in list', { device: ['mobile', 'tablet'] }, { device: 'tablet' }, true],
  ['device not in list', { device: ['mobile', 'tablet'] }, { device: 'desktop' }, false],
  ['os in list', { os: ['ios'] }, { os: 'ios' }, true],
  ['os not in list', { os: ['ios'] }, { os: 'android' }, false],
  ['os unknown', { os: ['ios'] }, { os: null }, false],
  ['browser other', { browser: ['other'] }, { browser: 'other' }, true],
  ['browser unknown', { browser: ['other'] }, { browser: null }, false],
  ['browser samsung', { browser: ['samsung', 'chrome'] }, { browser: 'samsung' }, true],
  ['country in list', { country: ['DE', 'AT'] }, { country: 'AT' }, true],
  ['country not in list', { country: ['DE', 'AT'] }, { country: 'FR' }, false],
  ['country unknown', { country: ['DE'] }, { country: null }, false],
  ['language in list', { language: ['de'] }, { language: 'de' }, true],
  ['language not in list', { language: ['de'] }, { language: 'en' }, false],
  ['language unknown', { language: ['de'] }, { language: null }, false],

  // 2024-06-03 is a Monday; Berlin is UTC+2 in summer.
  ['office hours, start is inclusive', officeHours, { now: '2024-06-03T07:00:00Z' }, true],
  ['office hours, a minute before', officeHours, { now: '2024-06-03T06:59:59Z' }, false],
  ['office hours, last minute', officeHours, { now: '2024-06-03T14:59:59Z' }, true],
  ['office hours, end is exclusive', officeHours, { now: '2024-06-03T15:00:00Z' }, false],
  ['overnight window, Friday 22:00', fridayNight, { now: '2024-06-07T20:00:00Z' }, true],
  ['overnight window, Friday 23:00', fridayNight, { now: '2024-06-07T21:00:00Z' }, true],
  ['overnight window, Saturday 03:00', fridayNight, { now: '2024-06-08T01:00:00Z' }, true],
  ['overnight window, Saturday 06:00', fridayNight, { now: '2024-06-08T04:00:00Z' }, false],
  ['overnight window, Friday 03:00', fridayNight, { now: '2024-06-07T01:00:00Z' }, false],
  ['overnight window, Saturday 23:00', fridayNight, { now: '2024-06-08T21:00:00Z' }, false],
  ['24-hour window, Saturday noon', weekendAllDay, { now: '2024-06-08T10:00:00Z' }, true],
  ['24-hour window, Sunday 23:59', weekendAllDay, { now: '2024-06-09T21:59:00Z' }, true],
  ['24-hour window, Monday 00:00', weekendAllDay, { now: '2024-06-09T22:00:00Z' }, false],
  ['24-hour window, Friday 23:59', weekendAllDay, { now: '2024-06-07T21:59:00Z' }, false],
  // Local weekday differs from the UTC weekday.
  [
    'LA Friday 19:00 is Saturday in UTC',
    losAngelesFridayEvening,
    { now: '2024-06-08T02:00:00Z' },
    true,
  ],
  [
    'LA Thursday 19:00 is Friday in UTC',
    losAngelesFridayEvening,
    { now: '2024-06-07T02:00:00Z' },
    false,
  ],
  [
    'Tokyo Monday 01:00 is Sunday in UTC',
    tokyoMondayMorning,
    { now: '2024-06-02T16:00:00Z' },
    true,
  ],
  [
    'Tokyo Monday 12:00 is Monday in UTC',
    tokyoMondayMorning,
    { now: '2024-06-03T03:00:00Z' },
    false,
  ],
  // 2024-03-31: Berlin moves from UTC+1 to UTC+2 at 01:00Z; 2024-10-27 back at 01:00Z.
  ['DST eve, 16:30 CET', officeHours, { now: '2024-03-30T15:30:00Z' }, true],
  ['DST day, 09:30 CEST', officeHours, { now: '2024-03-31T07:30:00Z' }, true],
  [
    'DST day, 17:30 CEST (16:30 at last week’s offset)',
    officeHours,
    { now: '2024-03-31T15:30:00Z' },
    false,
  ],
  ['DST day, 08:30 CEST', officeHours, { now: '2024-03-31T06:30:00Z' }, false],
  ['DST day, 01:59 CET', berlinTwoToThree, { now: '2024-03-31T00:59:00Z' }, false],
  [
    'DST day, 03:00 CEST: 02:xx never happens',
    berlinTwoToThree,
    { now: '2024-03-31T01:00:00Z' },
    false,
  ],
  ['DST end, first 02:30 (CEST)', berlinTwoToThree, { now: '2024-10-27T00:30:00Z' }, true],
  ['DST end, second 02:30 (CET)', berlinTwoToThree, { now: '2024-10-27T01:30:00Z' }, true],
  ['DST end, 03:00 CET', berlinTwoToThree, { now: '2024-10-27T02:00:00Z' }, false],

  [
    'dates from, before',
    { dates: { from: '2025-01-01T00:00:00Z' } },
    { now: '2024-12-31T23:59:59Z' },
    false,
  ],
  [
    'dates from, inclusive',
    { dates: { from: '2025-01-01T00:00:00Z' } },
    { now: '2025-01-01T00:00:00Z' },
    true,
  ],
  [
    'dates from, far after',
    { dates: { from: '2025-01-01T00:00:00Z' } },
    { now: '2099-01-01T00:00:00Z' },
    true,
  ],
  [
    'dates to, exclusive',
    { dates: { to: '2025-01-01T01:00:00+01:00' } },
    { now: '2025-01-01T00:00:00Z' },
    false,
  ],
  [
    'dates to, just before',
    { dates: { to: '2025-01-01T01:00:00+01:00' } },
    { now: '2024-12-31T23:59:59Z' },
    true,
  ],
  [
    'dates to, far before',
    { dates: { to: '2025-01-01T00:00:00Z' } },
    { now: '1999-01-01T00:00:00Z' },
    true,
  ],
  [
    'dates both, inside',
    { dates: { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' } },
    { now: '2025-01-15T00:00:00Z' },
    true,
  ],
  [
    'dates both, after',
    { dates: { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' } },
    { now: '2025-02-15T00:00:00Z' },
    false,
  ],

  ['query present', { query: { ref: true } }, { query: { ref: 'anything' } }, true],
  ['query present and empty', { query: { ref: true } }, { query: { ref: '' } }, true],
  ['query absent', { query: { ref: true } }, { query: { other: 'x' } }, false],
  ['query equal', { query: { src: 'qr' } }, { query: { src: 'qr' } }, true],
  ['query equality is case-sensitive', { query: { src: 'qr' } }, { query: { src: 'QR' } }, false],
  ['query equal but absent', { query: { src: 'qr' } }, {}, false],
  ['query all must match', { query: { a: '1', b: true } }, { query: { a: '1' } }, false],
  ['query all match', { query: { a: '1', b: true } }, { query: { a: '1', b: '' } }, true],

  ['referrer host', { referrer: ['facebook.com'] }, { referrer: 'facebook.com' }, true],
  ['referrer subdomain', { referrer: ['facebook.com'] }, { referrer: 'm.facebook.com' }, true],
  [
    'referrer deep subdomain',
    { referrer: ['facebook.com'] },
    { referrer: 'a.b.facebook.com' },
    true,
  ],
  ['referrer look-alike', { referrer: ['facebook.com'] }, { referrer: 'notfacebook.com' }, false],
  [
    'referrer as prefix',
    { referrer: ['facebook.com'] },
    { referrer: 'facebook.com.evil.example' },
    false,
  ],
  ['referrer parent domain', { referrer: ['m.facebook.com'] }, { referrer: 'facebook.com' }, false],
  ['referrer none', { referrer: ['facebook.com'] }, { referrer: null }, false],

  ['scans lte, equal', { scans: { lte: 3 } }, { scan: 3 }, true],
  ['scans lte, above', { scans: { lte: 3 } }, { scan: 4 }, false],
  ['scans lte 1, first scan', { scans: { lte: 1 } }, { scan: 1 }, true],
  ['scans gt, equal', { scans: { gt: 3 } }, { scan: 3 }, false],
  ['scans gt, above', { scans: { gt: 3 } }, { scan: 4 }, true],
  ['scans gt 0, first scan', { scans: { gt: 0 } }, { scan: 1 }, true],

  [
    'all conditions match',
    { os: ['ios'], country: ['DE'], scans: { lte: 10 } },
    { os: 'ios', country: 'DE', scan: 2 },
    true,
  ],
  [
    'one condition fails',
    { os: ['ios'], country: ['DE'], scans: { lte: 10 } },
    { os: 'ios', country: 'DE', scan: 11 },
    false,
  ],
];

describe('conditions', () => {
  it.each(cases)('%s', (_name, when, facts, expected) => {
    expect(matches(when, facts)).toBe(expected);
  });

  it('never matches a time zone this runtime does not know', () => {
    const when: Conditions = { time: { from: '00:00', to: '00:00', tz: 'Mars/Olympus_Mons' } };
    expect(matches(when, {})).toBe(false);
  });

  it('never matches time or dates when the clock is not a number', () => {
    expect(matches(weekendAllDay, { now: Number.NaN })).toBe(false);
    expect(matches({ dates: { from: '2000-01-01T00:00:00Z' } }, { now: Number.NaN })).toBe(false);
  });
});
