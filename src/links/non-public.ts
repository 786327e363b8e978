import { BlockList } from 'node:net';

/**
 * Hosts no public web server answers on: loopback, private, link-local, shared (CGNAT),
 * unspecified, multicast and reserved addresses, cloud metadata endpoints, and names that only
 * resolve on a machine or a local network. A short link to one of them would send visitors (or
 * a crawler following it) into their own network. Only literals and reserved names are known
 * here: a public name whose DNS answers with a private address is not (no lookup at create time).
 */

/** WHATWG serializes IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`) addresses this way. */
const IPV4_IN_IPV6 = /^\[::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/;
/** A WHATWG-serialized IPv4 host. */
export const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

const RANGES: readonly (readonly [kind: string, network: string, prefix: number])[] = [
  ['unspecified', '0.0.0.0', 8],
  ['private network', '10.0.0.0', 8],
  ['carrier-grade NAT', '100.64.0.0', 10],
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['private network', '172.16.0.0', 12],
  ['reserved', '192.0.0.0', 24],
  ['private network', '192.168.0.0', 16],
  ['multicast', '224.0.0.0', 4],
  ['reserved', '240.0.0.0', 4],
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['private network', '64:ff9b:1::', 48],
  ['private network', 'fc00::', 7],
  ['link-local', 'fe80::', 10],
  ['private network', 'fec0::', 10],
  ['multicast', 'ff00::', 8],
];

const BLOCKS: readonly (readonly [kind: string, block: BlockList])[] = (() => {
  const byKind = new Map<string, BlockList>();
  for (const [kind, network, prefix] of RANGES) {
    let block = byKind.get(kind);
    if (!block) byKind.set(kind, (block = new BlockList()));
    block.addSubnet(network, prefix, network.includes(':') ? 'ipv6' : 'ipv4');
  }
  return [...byKind];
})();

/** Instance metadata services of AWS, GCP, Azure, ECS, Alibaba and Oracle clouds. */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '192.0.0.192',
  'fd00:ec2::254',
]);

/** Special-use and private-use names (RFC 6761, 6762, 8375, ICANN's `.internal`) and common intranet ones. */
const LOCAL_NAME_SUFFIXES = [
  'localhost',
  'localdomain',
  'local',
  'internal',
  'intranet',
  'lan',
  'home',
  'corp',
  'home.arpa',
];

/** The dotted IPv4 address an IPv4-mapped or -compatible IPv6 literal carries, else null. */
export function embeddedIpv4(host: string): string | null {
  const embedded = IPV4_IN_IPV6.exec(host);
  if (embedded === null) return null;
  const high = parseInt(embedded[1] ?? '0', 16);
  const low = parseInt(embedded[2] ?? '0', 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * Why a host is not on the public internet, as a reason a field error can carry, or null.
 * `host` is a WHATWG-parsed host name without trailing dot (IPv6 in brackets).
 */
export function nonPublicHostReason(host: string): string | null {
  const ipv4 = IPV4.test(host) ? host : embeddedIpv4(host);
  if (ipv4 !== null) return addressReason(ipv4, 'ipv4');
  if (host.startsWith('[')) return addressReason(host.slice(1, -1), 'ipv6');
  for (const suffix of LOCAL_NAME_SUFFIXES) {
    if (host === suffix || host.endsWith(`.${suffix}`)) {
      return `points to a non-public host name (.${suffix} names are local)`;
    }
  }
  if (!host.includes('.')) {
    return 'points to a non-public host name (a single label resolves on the local network)';
  }
  return null;
}

function addressReason(address: string, family: 'ipv4' | 'ipv6'): string | null {
  if (METADATA_ADDRESSES.has(address)) {
    return 'points to a non-public address (cloud metadata service)';
  }
  for (const [kind, block] of BLOCKS) {
    if (block.check(address, family)) return `points to a non-public address (${kind})`;
  }
  return null;
}
