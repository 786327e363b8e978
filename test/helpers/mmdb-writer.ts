import { isIPv4, isIPv6 } from 'node:net';

/**
 * A minimal MaxMind DB (.mmdb, format 2.0) writer for tests: enough to produce files shaped
 * like GeoLite2/GeoIP2 Country and City databases, so the reader is tested against the real
 * binary format instead of hand-made objects. 24-bit records, no pointers in the data section.
 * Spec: https://maxmind.github.io/MaxMind-DB/
 */

export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** First address of the network, IPv4 or IPv6 ("81.2.69.0", "2a02:8100::"). */
  address: string;
  /** Prefix length within the address's own family (24 for an IPv4 /24, in either tree). */
  prefixLength: number;
  record: MmdbValue;
}

export interface MmdbOptions {
  databaseType: string;
  ipVersion: 4 | 6;
  networks: readonly MmdbNetwork[];
  languages?: readonly string[];
}

const RECORD_BITS = 24;
const DATA_SECTION_SEPARATOR = Buffer.alloc(16);
const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

type Child = { kind: 'node'; index: number } | { kind: 'data'; offset: number } | { kind: 'empty' };

export function writeMmdb(options: MmdbOptions): Buffer {
  const nodes: [Child, Child][] = [[{ kind: 'empty' }, { kind: 'empty' }]];
  const data: Buffer[] = [];
  let dataLength = 0;

  for (const network of options.networks) {
    const bits = addressBits(network.address, options.ipVersion);
    // IPv4 networks in an IPv6 tree sit below 96 zero bits, so their prefix grows by 96.
    const ipv4InIpv6 = options.ipVersion === 6 && isIPv4(network.address);
    const prefixLength = network.prefixLength + (ipv4InIpv6 ? 96 : 0);
    const encoded = encode(network.record);
    const offset = dataLength;
    data.push(encoded);
    dataLength += encoded.length;

    let node = 0;
    for (let depth = 0; depth < prefixLength; depth++) {
      const side = bits[depth] === 1 ? 1 : 0;
      const pair = nodes[node];
      if (pair === undefined) throw new Error('corrupt tree');
      if (depth === prefixLength - 1) {
        pair[side] = { kind: 'data', offset };
        break;
      }
      const child = pair[side];
      if (child.kind === 'node') {
        node = child.index;
      } else {
        nodes.push([{ kind: 'empty' }, { kind: 'empty' }]);
        pair[side] = { kind: 'node', index: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }

  const nodeCount = nodes.length;
  const recordValue = (child: Child): number => {
    if (child.kind === 'node') return child.index;
    if (child.kind === 'empty') return nodeCount;
    return nodeCount + DATA_SECTION_SEPARATOR.length + child.offset;
  };
  const tree = Buffer.alloc((nodeCount * RECORD_BITS * 2) / 8);
  nodes.forEach(([left, right], index) => {
    tree.writeUIntBE(recordValue(left), index * 6, 3);
    tree.writeUIntBE(recordValue(right), index * 6 + 3, 3);
  });

  const metadata = encode({
    node_count: nodeCount,
    record_size: RECORD_BITS,
    ip_version: options.ipVersion,
    database_type: options.databaseType,
    languages: [...(options.languages ?? ['en'])],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: `qrlink test ${options.databaseType}` },
  });
  return Buffer.concat([tree, DATA_SECTION_SEPARATOR, ...data, METADATA_MARKER, metadata]);
}

function addressBits(address: string, ipVersion: 4 | 6): number[] {
  let bytes: number[];
  if (isIPv4(address)) {
    bytes = address.split('.').map(Number);
    // An IPv6 tree stores IPv4 in the first 32 bits after 96 zero bits (::a.b.c.d).
    if (ipVersion === 6) bytes = [...new Array<number>(12).fill(0), ...bytes];
  } else if (isIPv6(address) && ipVersion === 6) {
    bytes = ipv6Bytes(address);
  } else {
    throw new Error(`cannot place ${address} in an IPv${ipVersion} tree`);
  }
  return bytes.flatMap((byte) => Array.from({ length: 8 }, (_, bit) => (byte >> (7 - bit)) & 1));
}

function ipv6Bytes(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  return groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

const TYPE_STRING = 2;
const TYPE_UINT16 = 5;
const TYPE_UINT32 = 6;
const TYPE_MAP = 7;
const TYPE_UINT64 = 9;
const TYPE_ARRAY = 11;
const TYPE_BOOLEAN = 14;

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(TYPE_STRING, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(TYPE_BOOLEAN, value ? 1 : 0);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new Error(`unsupported number ${value}`);
    const type = value <= 0xffff ? TYPE_UINT16 : value <= 0xffffffff ? TYPE_UINT32 : TYPE_UINT64;
    const bytes = minimalBigEndian(value);
    return Buffer.concat([control(type, bytes.length), bytes]);
  }
  if (Array.isArray(value)) {
    return Buffer.concat([control(TYPE_ARRAY, value.length), ...value.map(encode)]);
  }
  const entries = Object.entries(value);
  return Buffer.concat([
    control(TYPE_MAP, entries.length),
    ...entries.flatMap(([key, inner]) => [encode(key), encode(inner)]),
  ]);
}

function minimalBigEndian(value: number): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from(bytes);
}

/** Control byte(s): type in the top 3 bits (0 + a type byte for extended types), then size. */
function control(type: number, size: number): Buffer {
  const extended = type > 7;
  const typeBits = (extended ? 0 : type) << 5;
  const typeByte = extended ? [type - 7] : [];
  if (size < 29) return Buffer.from([typeBits | size, ...typeByte]);
  if (size < 285) return Buffer.from([typeBits | 29, ...typeByte, size - 29]);
  if (size < 65_821) {
    const rest = size - 285;
    return Buffer.from([typeBits | 30, ...typeByte, rest >> 8, rest & 0xff]);
  }
  throw new Error(`size ${size} too large for this test writer`);
}
