import { isIPv6 } from 'node:net';

/**
 * The address as geo databases and visitor hashes should see it: trimmed, IPv4-mapped IPv6
 * ("::ffff:203.0.113.9" as a dual-stack Node socket reports it, or "::ffff:cb00:7109") unwrapped
 * to plain IPv4, IPv6 lower-cased. Returns null for anything that is not an IP address.
 */
export function normalizeIp(address: string): string | null {
  const trimmed = address.trim();
  if (ipv4Value(trimmed) >= 0) return trimmed;
  if (!isIPv6(trimmed)) return null;
  const lower = trimmed.toLowerCase();
  const dotted = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower)?.[1];
  if (dotted !== undefined) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] !== undefined && hex[2] !== undefined) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return lower;
}

/**
 * Ranges that never locate a visitor (RFC 6890 special-purpose registries): private, loopback,
 * link-local, CGNAT, documentation, benchmarking, multicast and reserved space. Some free
 * databases carry stray records for them (the bundled one maps 192.168.1.1 to a country).
 * Checked in plain JavaScript: node:net's BlockList costs microseconds per call, per event.
 */
const NON_PUBLIC_IPV4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
].map((cidr) => {
  const [network = '', bits = '0'] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return { network: ipv4ToInt(network), mask };
});

const NON_PUBLIC_IPV6 = [
  '::/127', // unspecified and loopback
  '64:ff9b:1::/48',
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
].map((cidr) => {
  const [network = '', bits = '0'] = cidr.split('/');
  return { hextets: ipv6Hextets(network), bits: Number(bits) };
});

/** True for a normalised address (see normalizeIp) that can belong to a visitor on the Internet. */
export function isPublicIp(normalized: string): boolean {
  const address = ipv4Value(normalized);
  if (address >= 0) {
    for (const { network, mask } of NON_PUBLIC_IPV4) {
      if ((address & mask) >>> 0 === network) return false;
    }
    return true;
  }
  const hextets = ipv6Hextets(normalized);
  return !NON_PUBLIC_IPV6.some((range) => prefixMatches(hextets, range.hextets, range.bits));
}

const DOT = 46;
const ZERO = 48;

/**
 * The 32-bit value of a dotted-quad IPv4 address, or -1 when `text` is not one: the same
 * strings node:net's isIPv4 accepts (four decimal parts 0–255, no leading zeros), read
 * without a regex or an array, because every scan event asks (often twice).
 */
export function ipv4Value(text: string): number {
  if (text.length < 7 || text.length > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || ++parts > 4) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      const d = c - ZERO;
      if (d < 0 || d > 9 || (digits === 1 && part === 0)) return -1;
      part = part * 10 + d;
      if (part > 255) return -1;
      digits++;
    }
  }
  return parts === 4 ? value : -1;
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** The eight 16-bit groups of a valid IPv6 address (zone id ignored, IPv4 tail converted). */
function ipv6Hextets(address: string): number[] {
  const withoutZone = address.split('%', 1)[0] ?? '';
  const [head = '', tail] = withoutZone.split('::');
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const v4 = ipv4ToInt(group);
          return [Math.floor(v4 / 0x10000), v4 % 0x10000];
        });
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function prefixMatches(
  address: readonly number[],
  network: readonly number[],
  bits: number,
): boolean {
  for (let i = 0; i * 16 < bits; i++) {
    const maskBits = Math.min(16, bits - i * 16);
    const mask = (0xffff << (16 - maskBits)) & 0xffff;
    if (((address[i] ?? 0) & mask) !== ((network[i] ?? 0) & mask)) return false;
  }
  return true;
}
