import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DailySaltStore,
  shouldHashVisitor,
  utcDayStart,
  visitorBucket,
  visitorHash,
} from './visitor.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const MONDAY = Date.UTC(2025, 2, 3); // 2025-03-03T00:00:00Z
const IP = '198.51.100.23';
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15';

/** A store whose clock the test moves. */
function storeAt(start: number): { store: DailySaltStore; setNow: (ms: number) => void } {
  let now = start;
  return { store: new DailySaltStore({ now: () => now }), setNow: (ms) => (now = ms) };
}

describe('DailySaltStore', () => {
  it('gives every UTC day its own random 32-byte salt, the same all day long', () => {
    const { store } = storeAt(MONDAY + 12 * HOUR);
    const morning = store.saltFor(MONDAY + 1 * HOUR);
    expect(morning).toHaveLength(32);
    expect(store.saltFor(MONDAY + 23 * HOUR + 59 * 60 * 1000)).toBe(morning);
    expect(store.saltFor(MONDAY + DAY).equals(morning)).toBe(false);
  });

  it('keeps yesterday’s salt for late events and destroys salts 48 h after their day began', () => {
    const { store, setNow } = storeAt(MONDAY + 10 * HOUR);
    const mondaySalt = store.saltFor(MONDAY + 10 * HOUR);
    const mondayBytes = Buffer.from(mondaySalt);

    setNow(MONDAY + DAY + 20 * HOUR); // Tuesday evening: Monday's salt is a day old.
    expect(store.saltFor(MONDAY + 9 * HOUR)).toBe(mondaySalt);
    expect(store.days()).toEqual([MONDAY]);

    setNow(MONDAY + 2 * DAY); // Wednesday 00:00: Monday's salt is 48 h old.
    store.prune(MONDAY + 2 * DAY);
    expect(store.days()).toEqual([]);
    expect(mondaySalt.equals(Buffer.alloc(32))).toBe(true);

    setNow(MONDAY + 3 * DAY); // A three-day-old event gets an unrelated, fresh salt.
    expect(store.saltFor(MONDAY + HOUR).equals(mondayBytes)).toBe(false);
  });

  it('prunes on every call so expired salts go even when only new days are asked for', () => {
    const { store, setNow } = storeAt(MONDAY);
    store.saltFor(MONDAY);
    store.saltFor(MONDAY + DAY);
    setNow(MONDAY + 2 * DAY + HOUR);
    store.saltFor(MONDAY + 2 * DAY + HOUR);
    expect(store.days()).toEqual([MONDAY + DAY, MONDAY + 2 * DAY]);
  });

  it('shares today’s and tomorrow’s salts, and a process adopting them hashes alike', () => {
    const { store: primary } = storeAt(MONDAY + 23 * HOUR);
    const { store: worker, setNow } = storeAt(MONDAY + 23 * HOUR);
    const ownMonday = worker.saltFor(MONDAY);
    const shared = primary.share(MONDAY + 23 * HOUR);
    expect(shared.map((s) => s.day)).toEqual([MONDAY, MONDAY + DAY]);

    worker.adopt(JSON.parse(JSON.stringify(shared)) as typeof shared);
    expect(ownMonday.equals(Buffer.alloc(32))).toBe(true);
    expect(worker.saltFor(MONDAY).equals(primary.saltFor(MONDAY))).toBe(true);
    setNow(MONDAY + DAY + HOUR); // After midnight the worker already holds the new day's salt.
    expect(worker.saltFor(MONDAY + DAY + HOUR).equals(primary.saltFor(MONDAY + DAY))).toBe(true);
  });

  it('adopts no expired, misaligned or malformed salt', () => {
    const { store } = storeAt(MONDAY + 2 * DAY);
    store.adopt([
      { day: MONDAY, salt: Buffer.alloc(32, 1).toString('base64') },
      { day: MONDAY + 2 * DAY + HOUR, salt: Buffer.alloc(32, 2).toString('base64') },
      { day: MONDAY + 2 * DAY, salt: Buffer.alloc(8, 3).toString('base64') },
    ]);
    expect(store.days()).toEqual([]);
  });

  it('uses the injected random source', () => {
    const store = new DailySaltStore({
      now: () => MONDAY,
      random: (size) => Buffer.alloc(size, 7),
    });
    expect(store.saltFor(MONDAY)).toEqual(Buffer.alloc(32, 7));
  });
});

describe('utcDayStart', () => {
  it('is midnight UTC of the same day', () => {
    expect(utcDayStart(MONDAY + 23 * HOUR)).toBe(MONDAY);
    expect(utcDayStart(MONDAY - 1)).toBe(MONDAY - DAY);
  });
});

describe('visitorHash', () => {
  const salt = Buffer.alloc(32, 1);

  it('is HMAC-SHA-256(salt, workspace ‖ 0x00 ‖ ip ‖ 0x00 ‖ ua) cut to 32 hex characters', () => {
    const expected = createHmac('sha256', salt)
      .update(`ws_1\u0000${IP}\u0000${UA}`)
      .digest('hex')
      .slice(0, 32);
    expect(visitorHash(salt, 'ws_1', IP, UA)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is the same for the same visitor on the same day', () => {
    const { store } = storeAt(MONDAY + 8 * HOUR);
    const first = visitorHash(store.saltFor(MONDAY + 8 * HOUR), 'ws_1', IP, UA);
    const second = visitorHash(store.saltFor(MONDAY + 20 * HOUR), 'ws_1', IP, UA);
    expect(second).toBe(first);
  });

  it('changes across midnight', () => {
    const { store } = storeAt(MONDAY + DAY);
    const before = visitorHash(store.saltFor(MONDAY + DAY - 1), 'ws_1', IP, UA);
    const after = visitorHash(store.saltFor(MONDAY + DAY), 'ws_1', IP, UA);
    expect(after).not.toBe(before);
  });

  it('differs between workspaces, addresses and user agents', () => {
    const base = visitorHash(salt, 'ws_1', IP, UA);
    expect(visitorHash(salt, 'ws_2', IP, UA)).not.toBe(base);
    expect(visitorHash(salt, 'ws_1', '198.51.100.24', UA)).not.toBe(base);
    expect(visitorHash(salt, 'ws_1', IP, `${UA} Other`)).not.toBe(base);
  });

  it('keeps fields apart: moving text across the separator changes the hash', () => {
    expect(visitorHash(salt, 'ws', '1.2.3.4', 'ua')).not.toBe(
      visitorHash(salt, 'ws1', '.2.3.4', 'ua'),
    );
  });
});

describe('visitorBucket', () => {
  const salt = Buffer.alloc(32, 2);

  it('is sticky for one visitor and salt, and moves with the salt', () => {
    const bucket = visitorBucket(salt, IP, UA);
    expect(visitorBucket(salt, IP, UA)).toBe(bucket);
    expect(visitorBucket(Buffer.alloc(32, 3), IP, UA)).not.toBe(bucket);
  });

  it('spreads visitors evenly over [0, 1)', () => {
    const visitors = 20_000;
    const buckets = Array.from({ length: visitors }, (_, i) =>
      visitorBucket(salt, `10.0.${i >> 8}.${i & 255}`, UA),
    );
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(1);
    const deciles = new Array<number>(10).fill(0);
    for (const bucket of buckets) {
      const decile = Math.floor(bucket * 10);
      deciles[decile] = (deciles[decile] ?? 0) + 1;
    }
    // Deterministic input; ±10 % of the 2,000 expected per decile is about 4.5 standard deviations.
    for (const count of deciles) expect(Math.abs(count - visitors / 10)).toBeLessThan(200);
  });
});

describe('shouldHashVisitor', () => {
  it.each([
    [{}, true],
    [{ dnt: '0' }, true],
    [{ dnt: '', secGpc: '' }, true],
    [{ dnt: '1' }, false],
    [{ dnt: ' 1 ' }, false],
    [{ secGpc: '1' }, false],
    [{ dnt: '0', secGpc: '1' }, false],
  ])('%j → %s', (headers, expected) => {
    expect(shouldHashVisitor(headers)).toBe(expected);
  });
});
