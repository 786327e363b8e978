import { describe, expect, it } from 'vitest';
import { isValidTimeZone, parseClockTime, parseRfc3339, zoneClock } from './rules-time.js';

describe('parseRfc3339', () => {
  it.each([
    ['2025-01-31T18:00:00Z', Date.UTC(2025, 0, 31, 18)],
    ['2025-01-31T18:00:00.5Z', Date.UTC(2025, 0, 31, 18, 0, 0, 500)],
    ['2025-01-31T18:00:00+01:00', Date.UTC(2025, 0, 31, 17)],
    ['2025-01-31T18:00:00-05:30', Date.UTC(2025, 0, 31, 23, 30)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
  ])('%s', (text, expected) => {
    expect(parseRfc3339(text)).toBe(expected);
  });

  it.each([
    '2025-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-00-01T00:00:00Z',
    '2025-01-00T00:00:00Z',
    '2025-01-01T24:00:00Z',
    '2025-01-01T23:60:00Z',
    '2016-12-31T23:59:60Z',
    '2025-01-01T00:00:00+24:00',
    '2025-01-01T00:00:00',
    '2025-01-01 00:00:00Z',
    '2025-01-01',
    'yesterday',
  ])('refuses %s', (text) => {
    expect(parseRfc3339(text)).toBeNaN();
  });
});

describe('zoneClock', () => {
  it('gives the local minute of the week, Monday 00:00 = 0', () => {
    const berlin = zoneClock('Europe/Berlin');
    // Monday 2024-06-03 09:30 in Berlin (UTC+2).
    expect(berlin?.minuteOfWeek(Date.UTC(2024, 5, 3, 7, 30))).toBe(9 * 60 + 30);
    // Sunday 2024-06-09 23:59 in Berlin.
    expect(berlin?.minuteOfWeek(Date.UTC(2024, 5, 9, 21, 59, 59))).toBe(7 * 1440 - 1);
    expect(berlin?.describe(Date.UTC(2024, 5, 9, 21, 59))).toBe('Sun 23:59');
  });

  it('handles zones with non-hour offsets', () => {
    // 2024-06-03 00:00 UTC is 05:30 in Kolkata and 12:45 (+12:45) in the Chatham Islands.
    expect(zoneClock('Asia/Kolkata')?.minuteOfWeek(Date.UTC(2024, 5, 3))).toBe(5 * 60 + 30);
    expect(zoneClock('Pacific/Chatham')?.minuteOfWeek(Date.UTC(2024, 5, 3))).toBe(12 * 60 + 45);
  });

  it('answers the same minute consistently and moves on with the clock', () => {
    const utc = zoneClock('UTC');
    const monday = Date.UTC(2024, 5, 3, 10, 15);
    expect(utc?.minuteOfWeek(monday)).toBe(615);
    expect(utc?.minuteOfWeek(monday + 59_999)).toBe(615);
    expect(utc?.minuteOfWeek(monday + 60_000)).toBe(616);
    expect(utc?.minuteOfWeek(monday)).toBe(615);
  });

  it('returns -1 for times Intl cannot represent', () => {
    const utc = zoneClock('UTC');
    for (const now of [Number.NaN, Infinity, -Infinity, 9e15]) {
      expect(utc?.minuteOfWeek(now)).toBe(-1);
      expect(utc?.describe(now)).toBe('unknown');
    }
  });

  it('knows IANA zones and nothing else', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Atlantis')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(zoneClock('Nowhere/Land')).toBeNull();
  });
});

describe('parseClockTime', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['23:59', 1439],
  ])('%s → %i', (text, minutes) => {
    expect(parseClockTime(text)).toBe(minutes);
  });
});
