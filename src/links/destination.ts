import { domainToASCII, domainToUnicode } from 'node:url';
import { embeddedIpv4, IPV4, nonPublicHostReason } from './non-public.js';

/**
 * Screening of every URL a link can redirect to (main URL, rule and split URLs, expired and
 * fallback URLs), on create/update and again when a link is loaded for redirecting (RED-01/02/03/05).
 * The accepted form is the WHATWG serialization of the URL with the host's trailing dot removed:
 * ASCII-only, every character in 0x21–0x7E, and idempotent (checking the output returns it unchanged).
 */

export interface DestinationPolicy {
  /**
   * True when a host is served by this platform: the shared domain(s), every verified custom
   * domain of any tenant, and any IP the service answers on. It receives the key produced by
   * `canonicalHost`, so build it from a Set of `canonicalHost(domain)` values.
   */
  ownHosts: (host: string) => boolean;
  /**
   * Accept hosts on loopback, private, link-local and other non-public addresses and local-only
   * names (QRLINK_ALLOW_PRIVATE_DESTINATIONS, for intranet deployments). Refused by default.
   */
  allowNonPublic?: boolean;
  /** Longest accepted URL, before and after normalization. */
  maxLength?: number;
}

export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

export const DEFAULT_MAX_URL_LENGTH = 2048;

/** Printable ASCII, as every normalized URL is: such input skips the slower Unicode scan. */
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
/** Controls, format characters (zero-width, bidi, soft hyphen, BOM), separators, lone surrogates. */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Z}\p{Cs}]/u;
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;
const MALFORMED_PERCENT = /%(?![0-9a-f]{2})/i;
const HTTP_PREFIX = /^https?:\/\//i;
/** Underscores occur in real host names and browsers resolve them; leading/trailing hyphens do not. */
const DNS_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** A top-level label is alphabetic (or an A-label), so a host can never be mistaken for an IPv4 address. */
const TOP_LABEL = /^(?:[a-z]{1,63}|xn--[a-z0-9-]{1,59})$/;
/** What `canonicalHost` accepts: a bare host name or a bracketed IPv6 literal, no port or path. */
const HOST_INPUT = /^(?:\[[0-9a-f:.]+\]|[^\s/?#@\\:[\]%]+)$/iu;

const APP_SCHEME = /^([a-z][a-z0-9+.-]{1,31}):/i;
/** Web, script, local-resource and browser-internal schemes; everything else may be an app. */
const BLOCKED_APP_SCHEMES: ReadonlySet<string> = new Set([
  'about',
  'blob',
  'chrome',
  'chrome-extension',
  'data',
  'ecmascript',
  'edge',
  'file',
  'filesystem',
  'ftp',
  'ftps',
  'http',
  'https',
  'jar',
  'javascript',
  'jscript',
  'livescript',
  'mhtml',
  'mocha',
  'moz-extension',
  'ms-browser-extension',
  'ms-its',
  'opera',
  'res',
  'resource',
  'safari-extension',
  'vbscript',
  'view-source',
  'ws',
  'wss',
  'x-javascript',
]);

const fail = (reason: string): UrlCheck => ({ ok: false, reason });

/**
 * Checks and normalizes a redirect destination. Rejects anything that is not http(s) with a
 * valid host, carries credentials, whitespace, control or invisible characters (raw or
 * percent-encoded), a backslash, malformed percent-encoding, is too long, points back to
 * one of our own hosts (a redirect loop) or, unless the policy allows it, to a non-public host.
 * Never throws.
 */
export function checkDestination(input: string, policy: DestinationPolicy): UrlCheck {
  const maxLength = policy.maxLength ?? DEFAULT_MAX_URL_LENGTH;
  if (typeof input !== 'string' || input.length === 0) return fail('is empty');
  if (input.length > maxLength) return fail(`is longer than ${maxLength} characters`);
  if (!HTTP_PREFIX.test(input)) return fail('must start with http:// or https://');
  if (!PRINTABLE_ASCII.test(input) && INVISIBLE_OR_CONTROL.test(input)) {
    return fail('contains whitespace, control or invisible characters');
  }
  // WHATWG reads `\` as `/` in http(s) URLs while other parsers do not; refuse the ambiguity.
  if (input.includes('\\')) return fail('contains a backslash (percent-encode it as %5C)');
  if (ENCODED_CONTROL.test(input)) return fail('contains a percent-encoded control character');
  if (MALFORMED_PERCENT.test(input)) return fail('contains malformed percent-encoding');

  const authority = rawAuthority(input);
  if (authority.length === 0) return fail('has no host');
  if (authority.includes('@')) return fail('must not contain credentials (user@host)');

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail('is not a valid URL');
  }
  if (url.username !== '' || url.password !== '') return fail('must not contain credentials');
  if (url.port === '0') return fail('has an invalid port');

  let host = url.hostname;
  let normalized = url.href;
  if (host.endsWith('.')) {
    host = host.slice(0, -1);
    normalized = `${url.protocol}//${host}${url.port === '' ? '' : `:${url.port}`}${url.pathname}${url.search}${url.hash}`;
  }
  if (!isValidHost(host)) return fail('host is not a valid domain name or IP address');
  if (normalized.length > maxLength) {
    return fail(`is longer than ${maxLength} characters once normalized`);
  }
  if (!isSafeLocationHeader(normalized)) return fail('cannot be normalized to ASCII');
  if (policy.ownHosts(hostKey(host))) return fail('points to this service (redirect loop)');
  if (policy.allowNonPublic !== true) {
    const nonPublic = nonPublicHostReason(host);
    if (nonPublic !== null) return fail(nonPublic);
  }
  return { ok: true, url: normalized };
}

/**
 * The key our own hosts are compared under: lower-case A-label without trailing dot, leading
 * `www.` labels removed, IPv4 in dotted decimal (also when written as an IPv4-mapped IPv6
 * address). Returns null for anything that is not a host name or IP literal. Ports are not part
 * of the key: a destination on any port of one of our hosts counts as a loop.
 */
export function canonicalHost(host: string): string | null {
  if (!HOST_INPUT.test(host)) return null;
  let ascii = domainToASCII(host);
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1);
  if (!isValidHost(ascii)) return null;
  return hostKey(ascii);
}

/**
 * Checks a deep-link app URI (`myapp://path`). These are only ever shown, escaped, on an
 * intermediate page and never sent as `Location`, yet script-capable, local and web schemes are
 * still refused: web URLs belong in `url`, and the others must not reach a page as a link.
 */
export function checkAppUri(input: string, maxLength = DEFAULT_MAX_URL_LENGTH): UrlCheck {
  if (typeof input !== 'string' || input.length === 0) return fail('is empty');
  if (input.length > maxLength) return fail(`is longer than ${maxLength} characters`);
  if (!isSafeLocationHeader(input)) {
    return fail('must be printable ASCII without whitespace (percent-encode the rest)');
  }
  if (ENCODED_CONTROL.test(input)) return fail('contains a percent-encoded control character');
  if (MALFORMED_PERCENT.test(input)) return fail('contains malformed percent-encoding');
  const match = APP_SCHEME.exec(input);
  if (match === null) return fail('must start with an app scheme such as myapp:');
  const scheme = (match[1] ?? '').toLowerCase();
  if (BLOCKED_APP_SCHEMES.has(scheme)) return fail(`the ${scheme}: scheme is not allowed here`);
  if (input.length === match[0].length) return fail('has nothing after the scheme');
  return { ok: true, url: scheme + input.slice(scheme.length) };
}

/** True when a header value is non-empty and every character is in 0x21–0x7E (RED-03). */
export function isSafeLocationHeader(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/** `host` is an already-parsed, lower-case WHATWG host name without trailing dot. */
function hostKey(host: string): string {
  const embedded = embeddedIpv4(host);
  if (embedded !== null) return embedded;
  let key = host;
  while (key.startsWith('www.') && key.length > 4) key = key.slice(4);
  return key;
}

function isValidHost(host: string): boolean {
  if (host.startsWith('[')) return host.endsWith(']');
  if (IPV4.test(host)) return true;
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  const top = labels[labels.length - 1] ?? '';
  if (!TOP_LABEL.test(top)) return false;
  for (const label of labels) {
    if (!DNS_LABEL.test(label)) return false;
    if (label.startsWith('xn--') && !isValidALabel(label)) return false;
  }
  return true;
}

/**
 * Node 20's URL parser refuses A-labels that are not valid Punycode, Node 24's lets them
 * through unchanged; a round trip through Unicode gives the same answer on both.
 */
function isValidALabel(label: string): boolean {
  const unicode = domainToUnicode(label);
  return unicode !== label && domainToASCII(unicode) === label;
}

/** The text between `://` and the first `/`, `?` or `#` of a URL known to start with http(s)://. */
function rawAuthority(input: string): string {
  const start = input.indexOf('//') + 2;
  let end = input.length;
  for (let i = start; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) {
      end = i;
      break;
    }
  }
  return input.slice(start, end);
}
