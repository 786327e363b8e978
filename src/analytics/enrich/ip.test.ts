import { BlockList, isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4Value, isPublicIp, normalizeIp } from './ip.js';

describe('normalizeIp', () => {
  it.each([
    ['8.8.8.8', '8.8.8.8'],
    [' 8.8.8.8 ', '8.8.8.8'],
    ['::ffff:8.8.8.8', '8.8.8.8'],
    ['::FFFF:808:808', '8.8.8.8'],
    ['2001:DB8::1', '2001:db8::1'],
    ['garbage', null],
    ['', null],
    ['1.2.3', null],
    ['256.1.1.1', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});

describe('ipv4Value', () => {
  it.each([
    ['0.0.0.0', 0],
    ['1.2.3.4', 0x01020304],
    ['255.255.255.255', 0xffffffff],
    ['192.168.0.1', 0xc0a80001],
  ])('%s → %d', (ip, value) => {
    expect(ipv4Value(ip)).toBe(value);
  });

  it('accepts exactly what node:net isIPv4 accepts', () => {
    const almost = fc.stringMatching(/^[0-9.]{0,16}$/);
    const octet = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom('00', '01', '010', '', '-1', ' 1', '1a'),
    );
    const quads = fc.array(octet, { minLength: 3, maxLength: 5 }).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), almost, quads, fc.string()), (text) => {
        expect(ipv4Value(text) >= 0, text).toBe(isIPv4(text));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('isPublicIp', () => {
  it.each([
    '8.8.8.8',
    '1.0.0.1',
    '172.32.0.1',
    '100.128.0.1',
    '223.255.255.255',
    '2001:4860:4860::8888',
    '2a02:8100::1',
    '2001:db9::1',
    '64:ff9b::808:808',
    '::2',
  ])('%s is public', (ip) => {
    expect(isPublicIp(ip)).toBe(true);
  });

  it.each([
    '0.0.0.0',
    '10.0.0.1',
    '100.64.0.1',
    '127.0.0.1',
    '169.254.1.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '0:0:0:0:0:0:0:1',
    '2001:db8::1',
    '2001:db8:ffff::8.8.8.8',
    '64:ff9b:1::8.8.8.8',
    '100::1',
    'fe80::1%eth0',
    'febf::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
  ])('%s is not public', (ip) => {
    expect(isPublicIp(ip)).toBe(false);
  });
});

describe('isPublicIp against node:net BlockList as an oracle', () => {
  const oracle = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    oracle.addSubnet(network, prefix, 'ipv4');
  }
  for (const [network, prefix] of [
    ['::', 127],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    oracle.addSubnet(network, prefix, 'ipv6');
  }

  it('agrees on every IPv4 and IPv6 address', () => {
    const special = fc.constantFrom('10.', '100.64.', '172.16.', '192.168.', '198.18.', '224.');
    const nearRanges = fc.tuple(special, fc.ipV4()).map(
      ([prefix, ip]) =>
        prefix +
        ip
          .split('.')
          .slice(prefix.split('.').length - 1)
          .join('.'),
    );
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), nearRanges), (ip) => {
        const normalized = normalizeIp(ip);
        if (normalized === null) return;
        const family = normalized.includes(':') ? 'ipv6' : 'ipv4';
        expect(isPublicIp(normalized), normalized).toBe(!oracle.check(normalized, family));
      }),
      { numRuns: 2000 },
    );
  });
});
