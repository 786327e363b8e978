import { describe, expect, it } from 'vitest';
import {
  countryName,
  formatBucket,
  formatCompact,
  formatNumber,
  formatPercent,
  formatRelative,
  isoToLocalInput,
  localInputToIso,
  startOfDay,
  zoneOffsetMinutes,
} from './format';

describe('numbers', () => {
  it('groups thousands in the given locale', () => {
    expect(formatNumber(1234567, 'en-US')).toBe('1,234,567');
    expect(formatNumber(1234567, 'de-DE')).toBe('1.234.567');
  });
  it('abbreviates large counts', () => {
    expect(formatCompact(1250, 'en-US')).toBe('1.3K');
    expect(formatCompact(999, 'en-US')).toBe('999');
  });
  it('shows a share, and a dash instead of dividing by zero', () => {
    expect(formatPercent(1, 3, 'en-US')).toBe('33.3%');
    expect(formatPercent(0, 0, 'en-US')).toBe('—');
  });
});

describe('time zones', () => {
  it('knows a zone offset on both sides of daylight saving time', () => {
    expect(zoneOffsetMinutes('Europe/Berlin', new Date('2026-01-15T12:00:00Z'))).toBe(60);
    expect(zoneOffsetMinutes('Europe/Berlin', new Date('2026-07-15T12:00:00Z'))).toBe(120);
    expect(zoneOffsetMinutes('Asia/Kolkata', new Date('2026-07-15T12:00:00Z'))).toBe(330);
    expect(zoneOffsetMinutes('UTC', new Date('2026-07-15T12:00:00Z'))).toBe(0);
  });

  it('reads a datetime-local value as wall time in the chosen zone', () => {
    expect(localInputToIso('2026-07-01T09:30', 'Europe/Berlin')).toBe('2026-07-01T07:30:00.000Z');
    expect(localInputToIso('2026-01-01T09:30', 'Europe/Berlin')).toBe('2026-01-01T08:30:00.000Z');
    expect(localInputToIso('2026-07-01T09:30', 'America/New_York')).toBe(
      '2026-07-01T13:30:00.000Z',
    );
    expect(localInputToIso('', 'UTC')).toBeNull();
    expect(localInputToIso('tomorrow', 'UTC')).toBeNull();
  });

  it('round-trips an instant through the input value', () => {
    const iso = '2026-03-29T01:30:00.000Z'; // just after Berlin's spring-forward
    expect(isoToLocalInput(iso, 'Europe/Berlin')).toBe('2026-03-29T03:30');
    expect(localInputToIso(isoToLocalInput(iso, 'Europe/Berlin'), 'Europe/Berlin')).toBe(iso);
  });

  it("starts today at the zone's midnight", () => {
    const now = new Date('2026-07-01T23:30:00Z');
    expect(startOfDay('UTC', now)).toBe('2026-07-01T00:00:00.000Z');
    expect(startOfDay('Europe/Berlin', now)).toBe('2026-07-01T22:00:00.000Z');
    expect(startOfDay('America/Los_Angeles', now)).toBe('2026-07-01T07:00:00.000Z');
  });

  it('labels buckets in the chart zone at the interval precision', () => {
    const t = '2026-07-01T22:00:00Z';
    expect(formatBucket(t, 'day', 'Europe/Berlin', 'en-US')).toBe('Jul 2');
    expect(formatBucket(t, 'day', 'UTC', 'en-US')).toBe('Jul 1');
    expect(formatBucket(t, 'month', 'UTC', 'en-US')).toBe('Jul 2026');
    expect(formatBucket(t, 'hour', 'UTC', 'en-US')).toBe('Jul 1, 10:00 PM');
  });
});

describe('words', () => {
  it('says how long ago', () => {
    const now = new Date('2026-07-01T12:00:00Z');
    expect(formatRelative('2026-07-01T11:57:00Z', now, 'en-US')).toBe('3 minutes ago');
    expect(formatRelative('2026-07-03T12:00:00Z', now, 'en-US')).toBe('in 2 days');
    expect(formatRelative('2026-07-01T12:00:00Z', now, 'en-US')).toBe('now');
  });
  it('names countries, and keeps unknown codes', () => {
    expect(countryName('DE', 'en')).toBe('Germany');
    expect(countryName('zz', 'en')).toBe('zz');
  });
});
