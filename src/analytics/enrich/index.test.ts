import { beforeAll, describe, expect, it } from 'vitest';
import { openGeoDatabase, type GeoLookup } from './geoip.js';
import { enrichBatch, enrichEvent, type RawScan } from './index.js';
import { DailySaltStore, type SaltSource } from './visitor.js';

const NOON = Date.UTC(2025, 4, 14, 12); // 2025-05-14T12:00:00Z
const DAY = 24 * 60 * 60 * 1000;
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1';
const WINDOWS_EDGE =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0';

function rawScan(overrides: Partial<RawScan> = {}): RawScan {
  return {
    id: 'evt_1',
    time: NOON,
    linkId: 'lnk_1',
    workspaceId: 'ws_1',
    domain: 'qr.example.com',
    code: 'abc123',
    via: 'qr',
    ruleIndex: 0,
    variantIndex: 1,
    status: 302,
    method: 'GET',
    ip: '8.8.8.8',
    userAgent: IPHONE,
    acceptLanguage: 'de-DE,de;q=0.9,en;q=0.8',
    referer: 'https://www.instagram.com/p/xyz/?igsh=secret',
    secPurpose: '',
    purpose: '',
    dnt: '',
    secGpc: '',
    ...overrides,
  };
}

describe('enrichEvent with the bundled geo database', () => {
  let geo: GeoLookup;
  let salts: DailySaltStore;
  beforeAll(async () => {
    geo = await openGeoDatabase(null);
    salts = new DailySaltStore({ now: () => NOON });
  });
  const enrich = (overrides: Partial<RawScan> = {}) =>
    enrichEvent(rawScan(overrides), { geo, salts });

  it('turns a human scan into a storable event', () => {
    const event = enrich();
    expect(event).toEqual({
      id: 'evt_1',
      time: NOON,
      linkId: 'lnk_1',
      workspaceId: 'ws_1',
      domain: 'qr.example.com',
      via: 'qr',
      ruleIndex: 0,
      variantIndex: 1,
      status: 302,
      trafficClass: 'human',
      bot: false,
      device: 'mobile',
      os: 'ios',
      browser: 'safari',
      country: 'US',
      city: null,
      language: 'de',
      referrerHost: 'www.instagram.com',
      visitorHash: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('keeps neither the IP nor the user agent nor the referrer query (PRV-01, PRV-08)', () => {
    const serialized = JSON.stringify(enrich({ ip: '2001:4860:4860::8888' }));
    expect(serialized).not.toContain('8.8.8.8');
    expect(serialized).not.toContain('2001:4860');
    expect(serialized).not.toContain('Mozilla');
    expect(serialized).not.toContain('igsh');
    expect(serialized).not.toMatch(/\b\d{1,3}(?:\.\d{1,3}){3}\b/);
  });

  it('counts the same visitor once per day and per workspace', () => {
    const first = enrich().visitorHash;
    expect(enrich({ id: 'evt_2', time: NOON + 3_600_000 }).visitorHash).toBe(first);
    expect(enrich({ ip: '::ffff:8.8.8.8' }).visitorHash).toBe(first);
    expect(enrich({ workspaceId: 'ws_2' }).visitorHash).not.toBe(first);
    expect(enrich({ userAgent: WINDOWS_EDGE }).visitorHash).not.toBe(first);
    expect(enrich({ time: NOON + DAY }).visitorHash).not.toBe(first);
  });

  it('marks unfurlers as bots without device or visitor hash, but keeps their country', () => {
    const event = enrich({
      userAgent: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
      ip: '85.214.132.117',
    });
    expect(event).toMatchObject({
      trafficClass: 'unfurler',
      bot: true,
      device: null,
      os: null,
      browser: null,
      country: 'DE',
      visitorHash: null,
    });
  });

  it('counts HEAD and prefetch from a browser as bot traffic that still has a device', () => {
    for (const overrides of [{ method: 'HEAD' }, { secPurpose: 'prefetch;prerender' }]) {
      expect(enrich({ ...overrides, userAgent: WINDOWS_EDGE })).toMatchObject({
        bot: true,
        device: 'desktop',
        os: 'windows',
        browser: 'edge',
        visitorHash: null,
      });
    }
  });

  it('drops the visitor hash and the city for DNT and Sec-GPC (PRV-05)', () => {
    for (const overrides of [{ dnt: '1' }, { secGpc: '1' }]) {
      expect(enrich(overrides)).toMatchObject({
        trafficClass: 'human',
        country: 'US',
        city: null,
        visitorHash: null,
      });
    }
  });

  it('keeps the city of a city database unless the visitor opted out', () => {
    const cityGeo: GeoLookup = { country: () => 'GB', city: () => 'London' };
    expect(enrichEvent(rawScan(), { geo: cityGeo, salts }).city).toBe('London');
    expect(enrichEvent(rawScan({ dnt: '1' }), { geo: cityGeo, salts }).city).toBeNull();
  });

  it('survives empty and malformed request fields', () => {
    expect(
      enrich({ ip: 'unknown', userAgent: '', acceptLanguage: '', referer: 'nonsense' }),
    ).toMatchObject({
      trafficClass: 'bot',
      country: null,
      language: null,
      referrerHost: null,
      visitorHash: null,
    });
    expect(enrich({ ip: '10.0.0.7' })).toMatchObject({ country: null, trafficClass: 'human' });
  });
});

describe('enrichBatch', () => {
  it('fetches each day’s salt once from an asynchronous source and matches enrichEvent', async () => {
    const geo = await openGeoDatabase(null);
    const store = new DailySaltStore({ now: () => NOON + DAY });
    const requested: number[] = [];
    const asyncSalts: SaltSource = {
      saltFor: async (dayMs) => {
        requested.push(dayMs);
        return store.saltFor(dayMs);
      },
    };
    const raws = [
      rawScan({ id: 'a' }),
      rawScan({ id: 'b', time: NOON + 1000 }),
      rawScan({ id: 'c', time: NOON + DAY }),
      rawScan({ id: 'd', userAgent: 'curl/8.4.0' }),
    ];

    const batch = await enrichBatch(raws, { geo, salts: asyncSalts });

    expect(requested).toHaveLength(2);
    expect(batch).toEqual(raws.map((raw) => enrichEvent(raw, { geo, salts: store })));
    expect(batch[0]?.visitorHash).toBe(batch[1]?.visitorHash);
    expect(batch[2]?.visitorHash).not.toBe(batch[0]?.visitorHash);
    expect(batch[3]?.visitorHash).toBeNull();
  });
});
