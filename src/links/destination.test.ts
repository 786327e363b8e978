import { describe, expect, it } from 'vitest';
import { decodeEscapes, fixturePolicy, readFixtureLines } from '../../test/helpers/url-fixtures.js';
import {
  canonicalHost,
  checkAppUri,
  checkDestination,
  isSafeLocationHeader,
} from './destination.js';

const policy = fixturePolicy();
const noOwnHosts = { ownHosts: () => false };
const LOOP = 'points to this service (redirect loop)';

describe('dangerous destinations corpus', () => {
  const payloads = readFixtureLines('dangerous-urls.txt');

  it('holds at least 300 payloads and accepts none of them', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(300);
    const accepted = payloads.filter((p) => checkDestination(decodeEscapes(p.text), policy).ok);
    expect(accepted).toEqual([]);
  });

  it('rejects at least 100 encoded variants of our own hosts as loops (RED-05)', () => {
    const loops = payloads.filter((p) => p.section.startsWith('Loops'));
    let caughtAsLoop = 0;
    for (const payload of loops) {
      const url = decodeEscapes(payload.text);
      const result = checkDestination(url, policy);
      if (!result.ok && result.reason === LOOP) caughtAsLoop++;
      // Every loop variant is refused as a loop, or would be refused on any server.
      else expect(checkDestination(url, noOwnHosts).ok, payload.text).toBe(false);
    }
    expect(caughtAsLoop).toBeGreaterThanOrEqual(100);
  });
});

describe('non-public destinations', () => {
  const payloads = readFixtureLines('dangerous-urls.txt').filter((p) =>
    p.section.startsWith('Non-public'),
  );
  const NON_PUBLIC = /^points to a non-public (address|host name) \(.+\)$/;

  it('refuses each of the corpus by default, saying why, and accepts it on an intranet', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(70);
    for (const payload of payloads) {
      const url = decodeEscapes(payload.text);
      const refused = checkDestination(url, policy);
      expect(refused.ok ? 'accepted' : refused.reason, payload.text).toMatch(NON_PUBLIC);
      const intranet = checkDestination(url, { ...policy, allowNonPublic: true });
      expect(intranet.ok, payload.text).toBe(true);
    }
  });

  it.each([
    ['http://10.0.0.1/', 'address (private network)'],
    ['http://[fd12::1]/', 'address (private network)'],
    ['http://169.254.169.254/latest/', 'address (cloud metadata service)'],
    ['http://[fd00:ec2::254]/', 'address (cloud metadata service)'],
    ['http://169.254.1.1/', 'address (link-local)'],
    ['http://[fe80::1]/', 'address (link-local)'],
    ['http://100.64.0.1/', 'address (carrier-grade NAT)'],
    ['http://127.0.0.2/', 'address (loopback)'],
    ['http://2130706434/', 'address (loopback)'],
    ['http://[::1]/', 'address (loopback)'],
    ['http://0.0.0.0/', 'address (unspecified)'],
    ['http://[::]/', 'address (unspecified)'],
    ['http://[::ffff:10.0.0.1]/', 'address (private network)'],
    ['http://224.0.0.1/', 'address (multicast)'],
    ['http://localhost.localdomain/', 'host name (.localdomain names are local)'],
    ['http://foo.localhost/', 'host name (.localhost names are local)'],
    ['http://metadata.google.internal/', 'host name (.internal names are local)'],
    ['http://metadata/', 'host name (a single label resolves on the local network)'],
  ])('%s points to a non-public %s', (url, reason) => {
    expect(checkDestination(url, policy)).toEqual({
      ok: false,
      reason: `points to a non-public ${reason}`,
    });
  });

  it.each([
    'http://9.255.255.255/',
    'http://11.0.0.0/',
    'http://100.63.255.255/',
    'http://100.128.0.0/',
    'http://169.253.255.255/',
    'http://172.15.255.255/',
    'http://172.32.0.0/',
    'http://192.167.255.255/',
    'http://192.169.0.0/',
    'http://223.255.255.255/',
    'http://[2606:4700:4700::1111]/',
    'http://[fbff::1]/',
    'https://localhost.example.com/',
    'https://local.example/',
    'https://internal.example.org/',
    'https://my.localhostess.com/',
    'https://www.foo/',
  ])('accepts the public neighbour %s', (url) => {
    expect(checkDestination(url, policy)).toEqual({ ok: true, url });
  });

  it('still refuses loops when non-public hosts are allowed', () => {
    const intranet = { ...policy, allowNonPublic: true };
    expect(checkDestination('http://127.0.0.1:8080/x', intranet)).toEqual({
      ok: false,
      reason: LOOP,
    });
  });
});

describe('known-good destinations', () => {
  const cases = readFixtureLines('good-urls.txt').map(({ text }) => {
    const [input = '', expected = input] = decodeEscapes(text).split(' => ');
    return { input, expected };
  });

  it('holds at least 50 URLs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)('accepts $input as $expected', ({ input, expected }) => {
    expect(checkDestination(input, policy)).toEqual({ ok: true, url: expected });
    expect(checkDestination(expected, policy)).toEqual({ ok: true, url: expected });
  });
});

describe('checkDestination', () => {
  it.each([
    ['', 'is empty'],
    ['javascript:alert(1)', 'must start with http:// or https://'],
    [' https://example.com/', 'must start with http:// or https://'],
    ['https://example.com/ ', 'contains whitespace, control or invisible characters'],
    ['https://exa\u200bmple.com/', 'contains whitespace, control or invisible characters'],
    ['https://example.com/a\\b', 'contains a backslash (percent-encode it as %5C)'],
    ['https://example.com/%0d%0a', 'contains a percent-encoded control character'],
    ['https://example.com/%G1', 'contains malformed percent-encoding'],
    ['https:///example.com', 'has no host'],
    ['https://u:p@example.com/', 'must not contain credentials (user@host)'],
    ['https://exa$mple.com/', 'host is not a valid domain name or IP address'],
    ['https://example.com:0/', 'has an invalid port'],
    ['https://example.com:70000/', 'is not a valid URL'],
    ['https://www.qr.example:8443/x', LOOP],
  ])('%j → %s', (input, reason) => {
    expect(checkDestination(input, policy)).toEqual({ ok: false, reason });
  });

  it('applies the length limit before and after normalization', () => {
    const path = 'é'.repeat(400);
    const short = { ownHosts: () => false, maxLength: 100 };
    expect(checkDestination(`https://example.com/${'a'.repeat(80)}`, short).ok).toBe(true);
    expect(checkDestination(`https://example.com/${'a'.repeat(81)}`, short)).toEqual({
      ok: false,
      reason: 'is longer than 100 characters',
    });
    expect(checkDestination(`https://example.com/${path}`, noOwnHosts)).toEqual({
      ok: false,
      reason: 'is longer than 2048 characters once normalized',
    });
  });

  it('asks ownHosts about the canonical host only', () => {
    const asked: string[] = [];
    const spy = { ownHosts: (host: string) => (asked.push(host), false) };
    for (const url of [
      'https://WWW.Example.COM.:8443/',
      'https://bücher.de/',
      'http://2130706433/',
      'http://[::ffff:127.0.0.1]/',
      'http://[2001:DB8::1]/',
    ]) {
      checkDestination(url, spy);
    }
    expect(asked).toEqual([
      'example.com',
      'xn--bcher-kva.de',
      '127.0.0.1',
      '127.0.0.1',
      '[2001:db8::1]',
    ]);
  });
});

describe('canonicalHost', () => {
  it.each([
    ['qr.example', 'qr.example'],
    ['QR.Example.', 'qr.example'],
    ['www.qr.example', 'qr.example'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['127.1', '127.0.0.1'],
    ['[::ffff:7f00:1]', '127.0.0.1'],
    ['[2001:DB8::7]', '[2001:db8::7]'],
    ['localhost', 'localhost'],
  ])('%s → %s', (host, key) => {
    expect(canonicalHost(host)).toBe(key);
  });

  it.each([
    '',
    'qr.example:443',
    'a/b',
    'user@qr.example',
    'exa$mple.com',
    'a b',
    '[::1',
    '.',
    'xn--zz.example',
  ])('refuses %j', (host) => {
    expect(canonicalHost(host)).toBeNull();
  });
});

describe('checkAppUri', () => {
  it.each([
    ['myapp://product/42', 'myapp://product/42'],
    ['MyApp://Product/42', 'myapp://Product/42'],
    ['fb://profile/123', 'fb://profile/123'],
    ['intent://scan/#Intent;scheme=zxing;package=com.google.zxing.client.android;end', null],
    ['whatsapp://send?text=Hello%20there', null],
    ['mailto:info@example.com', null],
    ['com.example.app:/callback', null],
  ])('accepts %s', (input, expected) => {
    expect(checkAppUri(input)).toEqual({ ok: true, url: expected ?? input });
  });

  it.each([
    ['', 'is empty'],
    ['javascript:alert(1)', 'the javascript: scheme is not allowed here'],
    ['JavaScript:alert(1)', 'the javascript: scheme is not allowed here'],
    ['data:text/html,x', 'the data: scheme is not allowed here'],
    ['vbscript:x', 'the vbscript: scheme is not allowed here'],
    ['file:///etc/passwd', 'the file: scheme is not allowed here'],
    ['blob:https://x', 'the blob: scheme is not allowed here'],
    ['about:blank', 'the about: scheme is not allowed here'],
    ['view-source:https://x', 'the view-source: scheme is not allowed here'],
    ['https://example.com/', 'the https: scheme is not allowed here'],
    ['myapp:', 'has nothing after the scheme'],
    ['a:b', 'must start with an app scheme such as myapp:'],
    ['1app://x', 'must start with an app scheme such as myapp:'],
    ['//myapp', 'must start with an app scheme such as myapp:'],
    [' myapp://x', 'must be printable ASCII without whitespace (percent-encode the rest)'],
    ['myapp://x\ny', 'must be printable ASCII without whitespace (percent-encode the rest)'],
    ['myapp://ü', 'must be printable ASCII without whitespace (percent-encode the rest)'],
    ['java\tscript:x', 'must be printable ASCII without whitespace (percent-encode the rest)'],
    ['myapp://x%0d%0a', 'contains a percent-encoded control character'],
    ['myapp://x%zz', 'contains malformed percent-encoding'],
    [`myapp://${'x'.repeat(2041)}`, 'is longer than 2048 characters'],
  ])('refuses %j: %s', (input, reason) => {
    expect(checkAppUri(input)).toEqual({ ok: false, reason });
  });
});

describe('isSafeLocationHeader', () => {
  it('accepts only non-empty values of bytes 0x21–0x7E', () => {
    expect(isSafeLocationHeader('https://example.com/a?b=c#d')).toBe(true);
    expect(isSafeLocationHeader('!~')).toBe(true);
    for (const bad of ['', ' ', 'a b', 'a\r\nb', 'a\x00', 'a\x7f', 'é', 'a\u2028', '\ud800']) {
      expect(isSafeLocationHeader(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
