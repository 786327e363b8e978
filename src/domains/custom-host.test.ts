import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { DomainDirectory } from './directory.js';
import { normalizeCustomHost } from './custom-host.js';

const directory = new DomainDirectory(new URL('https://qr.platform.example'));

/** The field error a refused host gets, or the stored host when it is accepted. */
function outcome(input: string): { status: number; field: string; message: string } | string {
  try {
    return normalizeCustomHost(input, directory);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const [error] = err.errors ?? [];
    return { status: err.status, field: error?.field ?? '', message: error?.message ?? '' };
  }
}

describe('normalizeCustomHost', () => {
  it('accepts a bare host name: lower-cased, IDN as punycode, one trailing dot dropped', () => {
    expect(outcome('Go.Example.COM')).toBe('go.example.com');
    expect(outcome('go.example.com.')).toBe('go.example.com');
    expect(outcome('bücher.example')).toBe('xn--bcher-kva.example');
    expect(outcome('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
    expect(outcome('a-b.c-d.example')).toBe('a-b.c-d.example');
  });

  // Each refusal is a 422 on /host whose message says what is wrong (matched by the pattern).
  const refused: [input: string, why: RegExp][] = [
    ['https://example.com', /scheme/],
    ['http://example.com/', /scheme/],
    ['example.com/evil', /path/],
    ['example.com\\evil', /path/],
    ['example.com?next=1', /query/],
    ['example.com#top', /fragment/],
    ['example.com:8443', /port/],
    ['user@example.com', /user/],
    ['user:pass@example.com', /user/],
    ['exa mple.com', /space/],
    [' example.com', /space/],
    ['example.com\n', /space/],
    ['exam\u0000ple.com', /control/],
    ['192.0.2.1', /IP address/],
    ['0x7f.1', /IP address/],
    ['[2001:db8::1]', /IP address/],
    ['2001:db8::1', /IP address/],
    ['nodots', /two labels/],
    ['localhost', /local/],
    ['www.localhost', /local/],
    ['a.b.localhost.', /local/],
    ['printer.local', /local/],
    ['db.corp.internal', /local/],
    ['qr.platform.example', /own domain/],
    ['QR.Platform.Example.', /own domain/],
    ['bad_label.example', /label/],
    ['-x.example', /label/],
    ['x-.example', /label/],
    ['a..example', /label/],
    ['example.com..', /label/],
    [`${'a'.repeat(64)}.example`, /label/],
    [`${'abcdefghi.'.repeat(26)}example`, /253/],
    ['example.com%2fevil', /not a valid domain name/],
    ['example.com／evil', /not a valid domain name/],
  ];
  for (const [input, why] of refused) {
    it(`refuses ${JSON.stringify(input)} with a field error saying why`, () => {
      const result = outcome(input);
      expect(result).toEqual({ status: 422, field: '/host', message: expect.stringMatching(why) });
    });
  }
});
