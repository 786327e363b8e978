import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIXTURE_OWN_HOSTS, fixturePolicy } from '../../test/helpers/url-fixtures.js';
import { canonicalHost, checkDestination, isSafeLocationHeader } from './destination.js';

const policy = fixturePolicy();
const ownKeys = new Set(FIXTURE_OWN_HOSTS.map((host) => canonicalHost(host)));

/** Pieces that exercise the tricky parts of URL parsing; glued together at random. */
const tricky = fc.constantFrom(
  ...['http://', 'https://', 'HTTPS://', 'javascript:', 'data:', '//', '/', '\\', ':', '@', '.'],
  ...['%', '%0a', '%00', '%2e', '%3A', '%40', '%C3%BC', '?', '#', '[', ']', '::ffff:', '0x7f'],
  ...['qr.example', 'QR.EXAMPLE.', 'www.', 'xn--', 'bücher', 'example.com', ':443', ':0'],
  ...['127.0.0.1', '2130706433', '0177.1', '。', '．', '\u00ad', '\u200b', ' ', '\t', '\n', '\r'],
  ...['\u0000', '\u007f', '\u0085', '\u2028', '\ufeff', '\ud800', 'ß', 'é', '😀', 'ａ'],
);
const urlish = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl({ validSchemes: ['http', 'https'], size: 'large' }),
  fc
    .array(fc.oneof(tricky, fc.string({ maxLength: 8 })), { maxLength: 12 })
    .map((parts) => parts.join('')),
  fc
    .tuple(fc.constantFrom('http://', 'https://'), fc.array(tricky, { maxLength: 6 }))
    .map(([scheme, parts]) => `${scheme}${parts.join('')}/p?q#f`),
  fc.string({ unit: 'binary', maxLength: 64 }).map((s) => `https://${s}`),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

describe('checkDestination properties (RED-14)', () => {
  it('never throws, and every accepted URL is a safe, normalized http(s) URL', () => {
    fc.assert(
      fc.property(urlish, (input) => {
        const result = checkDestination(input, policy);
        if (!result.ok) return;
        const out = result.url;
        expect(out).toMatch(/^https?:\/\//);
        expect(isSafeLocationHeader(out)).toBe(true);
        expect(out).toMatch(/^[\x21-\x7e]+$/);
        expect(out).not.toMatch(/%(?:[01][0-9a-f]|7f)/i);
        expect(out.length).toBeLessThanOrEqual(2048);
        const reparsed = new URL(out);
        expect(reparsed.hostname).not.toBe('');
        expect(reparsed.username + reparsed.password).toBe('');
        expect(reparsed.href).toBe(out);
        expect(ownKeys.has(canonicalHost(reparsed.hostname))).toBe(false);
        expect(checkDestination(out, policy)).toEqual({ ok: true, url: out });
      }),
      { numRuns: 20_000 },
    );
  });

  it('gives ownHosts the same key canonicalHost gives for the accepted host', () => {
    fc.assert(
      fc.property(urlish, (input) => {
        let asked: string | null = null;
        const result = checkDestination(input, {
          ownHosts: (host) => ((asked = host), false),
        });
        if (result.ok) expect(asked).toBe(canonicalHost(new URL(result.url).hostname));
      }),
      { numRuns: 5_000 },
    );
  });
});
