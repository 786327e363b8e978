import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referrerHost } from './referrer.js';

describe('referrerHost (PRV-08)', () => {
  it.each([
    ['https://www.google.com/', 'www.google.com'],
    ['https://Example.COM:8443/path/page?utm_source=x&email=a@b.c#top', 'example.com'],
    ['http://user:secret@news.example.org/a?b', 'news.example.org'],
    ['https://example.com./', 'example.com'],
    ['https://bücher.example/', 'xn--bcher-kva.example'],
    ['android-app://com.google.android.gm/', 'com.google.android.gm'],
    ['android-app://Com.Slack/', 'com.slack'],
    ['  https://t.co/abc  ', 't.co'],
  ])('%s → %s', (referer, host) => {
    expect(referrerHost(referer)).toBe(host);
  });

  it.each([
    undefined,
    '',
    'not a url',
    '/relative/path',
    'javascript:alert(1)',
    'data:text/html,hi',
    'file:///etc/passwd',
    'chrome-extension://abcdef/page.html',
    'ftp://files.example.com/',
    'http://203.0.113.9/page',
    'http://[2001:db8::1]/page',
    'http://0x7f.1/',
  ])('%j → null', (referer) => {
    expect(referrerHost(referer)).toBeNull();
  });

  it('never returns a path, query, port, credentials or an IP address', () => {
    const urlLike = fc
      .tuple(
        fc.constantFrom('http', 'https', 'android-app', 'ftp'),
        fc.string({ maxLength: 12 }),
        fc.oneof(fc.domain(), fc.ipV4(), fc.string({ maxLength: 20 })),
        fc.option(fc.integer({ min: 0, max: 70_000 })),
        fc.string({ maxLength: 20 }),
      )
      .map(
        ([scheme, userinfo, host, port, rest]) =>
          `${scheme}://${userinfo}@${host}${port === null ? '' : `:${port}`}/${rest}?q=${rest}#${rest}`,
      );
    fc.assert(
      fc.property(fc.oneof(urlLike, fc.string()), (referer) => {
        const host = referrerHost(referer);
        if (host !== null) {
          expect(host).not.toMatch(/[/?#@:\s]/);
          expect(host).toBe(host.toLowerCase());
          expect(host).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        }
      }),
    );
  });

  it('reads only the start of an enormous header', () => {
    expect(referrerHost(`https://example.com/?q=${'a'.repeat(100_000)}`)).toBe('example.com');
  });
});
