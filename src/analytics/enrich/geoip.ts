import { createRequire } from 'node:module';
import path from 'node:path';
import { isIPv6 } from 'node:net';
import maxmind, { type Reader, type Response } from 'maxmind';
import { ConfigError } from '../../config/index.js';
import { isPublicIp, normalizeIp } from './ip.js';

/**
 * Country (and, with a city database, city) of an IP address, in memory. Implementations never
 * throw on bad input: an invalid, private or unknown address gives null.
 */
export interface GeoLookup {
  /** ISO 3166-1 alpha-2 code, upper case ("US"), or null. */
  country(ip: string): string | null;
  /** English city name, only when the database has cities (MaxMind City), or null. */
  city(ip: string): string | null;
  close?(): void;
}

const GEOIP_VARIABLE = 'QRLINK_GEOIP_DB';
const BUNDLED_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';
/** The package ships -ipv4, -ipv6 and this combined file; the combined one answers both. */
const BUNDLED_FILE = 'geo-whois-asn-country.mmdb';

/** Database types that hold no location, so every lookup would silently answer null. */
const NON_LOCATION_TYPES = /asn|isp|domain|connection-type|anonymous/i;

/** Where the default (freely licensed, country-level) database lives inside node_modules. */
export function bundledDatabasePath(): string {
  const packageJson = createRequire(import.meta.url).resolve(`${BUNDLED_PACKAGE}/package.json`);
  return path.join(path.dirname(packageJson), BUNDLED_FILE);
}

/**
 * Opens a MaxMind-format (.mmdb) database: `file` is QRLINK_GEOIP_DB, or null for the bundled
 * country database. The whole file is read into memory; lookups are synchronous.
 */
export async function openGeoDatabase(file: string | null): Promise<GeoLookup> {
  let resolved: string;
  try {
    resolved = file ?? bundledDatabasePath();
  } catch (error) {
    throw new ConfigError(
      GEOIP_VARIABLE,
      `is not set and the bundled database (${BUNDLED_PACKAGE}) is not installed; ` +
        `reinstall dependencies or point ${GEOIP_VARIABLE} at a .mmdb file (${message(error)})`,
    );
  }
  let reader: Reader<Response>;
  try {
    reader = await maxmind.open<Response>(resolved);
  } catch (error) {
    const what = file === null ? `the bundled database ${resolved}` : resolved;
    throw new ConfigError(
      GEOIP_VARIABLE,
      `cannot open ${what} as a MaxMind (.mmdb) database: ${message(error)}`,
    );
  }
  const { databaseType, ipVersion } = reader.metadata;
  if (NON_LOCATION_TYPES.test(databaseType)) {
    throw new ConfigError(
      GEOIP_VARIABLE,
      `${resolved} is a "${databaseType}" database; a country or city database is required`,
    );
  }
  return new MmdbGeoLookup(reader, ipVersion === 6);
}

class MmdbGeoLookup implements GeoLookup {
  // enrichEvent asks for the country and then the city of the same address: one tree walk.
  #lastIp: string | null = null;
  #lastRecord: unknown = null;

  constructor(
    private readonly reader: Reader<Response>,
    private readonly hasIpv6: boolean,
  ) {}

  country(ip: string): string | null {
    return countryFromRecord(this.#record(ip));
  }

  city(ip: string): string | null {
    return cityFromRecord(this.#record(ip));
  }

  #record(ip: string): unknown {
    if (ip === this.#lastIp) return this.#lastRecord;
    const record = this.#lookup(ip);
    this.#lastIp = ip;
    this.#lastRecord = record;
    return record;
  }

  #lookup(ip: string): unknown {
    const address = normalizeIp(ip);
    if (address === null || !isPublicIp(address)) return null;
    if (!this.hasIpv6 && isIPv6(address)) return null;
    try {
      return this.reader.get(address);
    } catch {
      // A corrupt region of the file must not take the analytics writer down with it.
      return null;
    }
  }
}

/**
 * The country of a database record, whichever shape the file uses: ip-location-db puts
 * `country_code` at the top level; MaxMind (GeoLite2/GeoIP2 Country and City, and DB-IP's
 * MaxMind-compatible files) use `country.iso_code`, falling back to `registered_country`
 * for networks MaxMind only knows the registrant of.
 */
export function countryFromRecord(record: unknown): string | null {
  if (!isObject(record)) return null;
  return (
    countryCode(record['country_code']) ??
    countryCode(field(record['country'], 'iso_code')) ??
    countryCode(field(record['registered_country'], 'iso_code'))
  );
}

/**
 * The English city name of a record: MaxMind City files carry `city.names.en`; ip-location-db
 * city files carry a plain `city` string. Country-only files have neither.
 */
export function cityFromRecord(record: unknown): string | null {
  if (!isObject(record)) return null;
  const city = record['city'];
  if (typeof city === 'string') return city || null;
  const name = field(field(city, 'names'), 'en');
  return typeof name === 'string' && name ? name : null;
}

function countryCode(value: unknown): string | null {
  return typeof value === 'string' && /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
