import { createHash } from 'node:crypto';
import type { Static } from 'typebox';
import { compileLink, type LinkRecord } from '../redirect/compiled-link.js';
import type { DestinationPolicy } from './destination.js';
import { explainRules, type VisitorContext } from './rules.js';
import type { SimulateBody } from './schemas.js';
import { primaryLanguage } from '../shared/language.js';
import { parseUserAgent } from '../shared/user-agent.js';

type SimulateInput = Static<typeof SimulateBody>;

/** The GeoIP lookup the live redirect resolves a visitor's country with (injected). */
export type CountryOfIp = (ip: string) => string | null;

/**
 * Answers "where would this visitor go, and why" with the same compiled link and rule engine
 * the redirect uses. Split variants are chosen from a hash of the given ip and user agent, so
 * the same sample always lands on the same variant (the live redirect salts it daily). Without
 * a country, the one `ip` is in is looked up as the redirect does.
 */
export function simulate(
  row: LinkRecord,
  input: SimulateInput,
  now: number,
  destinations: DestinationPolicy,
  countryOf: CountryOfIp,
) {
  const link = compileLink(row, destinations);
  const ua = parseUserAgent(input.userAgent ?? '');
  const time = input.time ? Date.parse(input.time) : now;
  const country = input.country?.toUpperCase() ?? (input.ip ? countryOf(input.ip) : null);
  const language = input.language ? primaryLanguage(input.language) : null;
  const query = new URLSearchParams(Object.entries(input.query ?? {}));
  let referrerHost: string | null = null;
  if (input.referrer) {
    try {
      referrerHost = new URL(input.referrer).hostname.toLowerCase();
    } catch {
      referrerHost = input.referrer.toLowerCase();
    }
  }
  const digest = createHash('sha256')
    .update(`${input.ip ?? ''}\n${input.userAgent ?? ''}`)
    .digest();
  const visitor: VisitorContext = {
    device: () => ua.device,
    os: () => ua.os,
    browser: () => ua.browser,
    country: () => country,
    language: () => language,
    now: () => time,
    query: (name) => query.get(name),
    referrerHost: () => referrerHost,
    scanNumber: () => input.scanNumber ?? link.scans + 1,
    visitorBucket: () => digest.readUInt32BE(0) / 2 ** 32,
  };
  const visitorView = { device: ua.device, os: ua.os, browser: ua.browser, country, language };
  const rules = link.extras?.rules;
  if (!rules) {
    return {
      rule: null,
      variant: null,
      reason: 'the link has no rules: default destination',
      url: link.url,
      appUrl: null,
      rules: [],
      visitor: visitorView,
    };
  }
  const explained = explainRules(rules, link.url, visitor);
  return {
    rule: explained.decision.ruleIndex,
    variant: explained.decision.variantIndex,
    reason: explained.decision.reason,
    url: explained.decision.url,
    appUrl: explained.decision.appUrl,
    rules: explained.rules.map((r) => ({
      index: r.index,
      matched: r.matched,
      ...(r.failedOn ? { failedOn: r.failedOn } : {}),
      ...(r.visitor !== undefined ? { visitor: r.visitor } : {}),
    })),
    visitor: visitorView,
  };
}
