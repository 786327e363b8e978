import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMmdb } from '../../../test/helpers/mmdb-writer.js';
import { ConfigError } from '../../config/index.js';
import {
  bundledDatabasePath,
  cityFromRecord,
  countryFromRecord,
  openGeoDatabase,
  type GeoLookup,
} from './geoip.js';

describe('the bundled country database', () => {
  let geo: GeoLookup;
  beforeAll(async () => {
    geo = await openGeoDatabase(null);
  });

  it('is the combined IPv4+IPv6 file of @ip-location-db/geo-whois-asn-country-mmdb', () => {
    const file = bundledDatabasePath();
    expect(file).toMatch(/@ip-location-db[/\\]geo-whois-asn-country-mmdb[/\\]/);
    expect(path.basename(file)).toBe('geo-whois-asn-country.mmdb');
    expect(existsSync(file)).toBe(true);
  });

  it.each([
    ['8.8.8.8', 'US'],
    ['85.214.132.117', 'DE'],
    ['::ffff:8.8.8.8', 'US'],
    ['2001:4860:4860::8888', 'US'],
  ])('locates %s in %s', (ip, country) => {
    expect(geo.country(ip)).toBe(country);
  });

  it.each([
    '127.0.0.1',
    '::1',
    '10.1.2.3',
    '192.168.1.1',
    '100.64.0.1',
    'fe80::1',
    'garbage',
    '',
    '1.2.3',
    '999.1.1.1',
  ])('answers null for the non-public or invalid address %j', (ip) => {
    expect(geo.country(ip)).toBeNull();
  });

  it('has no cities', () => {
    expect(geo.city('8.8.8.8')).toBeNull();
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6()), (ip) => {
        const country = geo.country(ip);
        expect(country === null || /^[A-Z]{2}$/.test(country)).toBe(true);
        expect(geo.city(ip)).toBeNull();
      }),
    );
  });
});

describe('MaxMind-format files (QRLINK_GEOIP_DB)', () => {
  let dir: string;
  const london = {
    city: { geoname_id: 2643743, names: { en: 'London', de: 'London' } },
    country: { iso_code: 'GB', names: { en: 'United Kingdom' } },
    registered_country: { iso_code: 'GB' },
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'qrlink-geoip-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, contents: Buffer): Promise<string> {
    const target = path.join(dir, name);
    await writeFile(target, contents);
    return target;
  }

  it('reads country.iso_code and city.names.en from a City database', async () => {
    const geo = await openGeoDatabase(
      await file(
        'city.mmdb',
        writeMmdb({
          databaseType: 'GeoLite2-City',
          ipVersion: 6,
          networks: [
            { address: '81.2.69.0', prefixLength: 24, record: london },
            {
              address: '2a02:8100::',
              prefixLength: 32,
              record: { registered_country: { iso_code: 'DE' } },
            },
          ],
        }),
      ),
    );
    expect(geo.country('81.2.69.160')).toBe('GB');
    expect(geo.city('81.2.69.160')).toBe('London');
    expect(geo.country('2a02:8100::1')).toBe('DE');
    expect(geo.city('2a02:8100::1')).toBeNull();
    expect(geo.country('81.2.70.1')).toBeNull();
    expect(geo.country('192.168.0.1')).toBeNull();
  });

  it('reads a Country database that only has IPv4 and answers null for IPv6', async () => {
    const geo = await openGeoDatabase(
      await file(
        'country-v4.mmdb',
        writeMmdb({
          databaseType: 'GeoLite2-Country',
          ipVersion: 4,
          networks: [
            { address: '2.125.160.0', prefixLength: 19, record: { country: { iso_code: 'GB' } } },
          ],
        }),
      ),
    );
    expect(geo.country('2.125.160.216')).toBe('GB');
    expect(geo.city('2.125.160.216')).toBeNull();
    expect(geo.country('2a02:8100::1')).toBeNull();
  });

  it('names QRLINK_GEOIP_DB when the file is missing', async () => {
    const missing = path.join(dir, 'missing.mmdb');
    const error = await openGeoDatabase(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('QRLINK_GEOIP_DB');
    expect((error as ConfigError).message).toContain(missing);
  });

  it('names QRLINK_GEOIP_DB when the file is not a MaxMind database', async () => {
    const bogus = await file('bogus.mmdb', Buffer.from('not a database at all'));
    await expect(openGeoDatabase(bogus)).rejects.toThrow(/^QRLINK_GEOIP_DB: cannot open/);
  });

  it('refuses a database without locations (an ASN file) instead of answering null forever', async () => {
    const asn = await file(
      'asn.mmdb',
      writeMmdb({
        databaseType: 'GeoLite2-ASN',
        ipVersion: 4,
        networks: [
          { address: '8.8.8.0', prefixLength: 24, record: { autonomous_system_number: 15169 } },
        ],
      }),
    );
    await expect(openGeoDatabase(asn)).rejects.toThrow(/QRLINK_GEOIP_DB: .*"GeoLite2-ASN"/);
  });
});

describe('countryFromRecord and cityFromRecord', () => {
  it.each([
    ['ip-location-db', { country_code: 'US' }, 'US'],
    ['MaxMind country', { country: { iso_code: 'DE', names: { en: 'Germany' } } }, 'DE'],
    ['MaxMind registered country only', { registered_country: { iso_code: 'FR' } }, 'FR'],
    [
      'MaxMind, country before registered country',
      { country: { iso_code: 'CH' }, registered_country: { iso_code: 'DE' } },
      'CH',
    ],
    ['lower-case code', { country_code: 'nl' }, 'NL'],
    ['continent only', { continent: { code: 'EU' } }, null],
    ['not a code', { country_code: 'USA' }, null],
    ['wrong type', { country: 'US' }, null],
    ['null', null, null],
    ['a string', 'US', null],
  ])('country of a %s record', (_shape, record, expected) => {
    expect(countryFromRecord(record)).toBe(expected);
  });

  it.each([
    ['MaxMind City', { city: { names: { en: 'Berlin', de: 'Berlin' } } }, 'Berlin'],
    ['ip-location-db city', { city: 'Osaka', country_code: 'JP' }, 'Osaka'],
    ['MaxMind City without English name', { city: { names: { de: 'München' } } }, null],
    ['country only', { country_code: 'US' }, null],
    ['empty name', { city: '' }, null],
    ['null', null, null],
  ])('city of a %s record', (_shape, record, expected) => {
    expect(cityFromRecord(record)).toBe(expected);
  });
});
