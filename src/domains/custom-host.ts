import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { AppError } from '../errors.js';
import type { DomainDirectory } from './directory.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/**
 * Names that only ever resolve on a private network (RFC 6761 `localhost`, RFC 6762 `.local`,
 * ICANN's reserved `.internal`): nobody can show public control of them.
 */
const PRIVATE_TLDS = new Set(['localhost', 'local', 'internal']);

function refuse(reason: string): AppError {
  return new AppError('unprocessable', `host ${reason}`, {
    errors: [{ field: '/host', message: reason }],
  });
}

/** Why an input that is more than a host name is refused; null when it is only a name. */
function extraPart(input: string): string | null {
  if (/\p{Cc}/u.test(input.replace(/\s/g, ' '))) return 'must not contain control characters';
  if (/\s/.test(input)) return 'must not contain spaces';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    return 'must be the host name alone, without a scheme such as https://';
  }
  if (input.includes('@')) return 'must be the host name alone, without a user name';
  if (/[/\\]/.test(input)) return 'must be the host name alone, without a path';
  if (/[?#]/.test(input)) return 'must be the host name alone, without a query or fragment';
  if (isIP(input.replace(/^\[(.*)\]$/, '$1')) !== 0) {
    return 'must be a domain name, not an IP address';
  }
  if (input.includes(':')) return 'must be the host name alone, without a port';
  return null;
}

/**
 * A custom domain is a bare public DNS name, stored in A-label form: lower-cased, IDN as
 * punycode, one trailing dot dropped. Anything else is refused with the reason, never rewritten.
 */
export function normalizeCustomHost(input: string, directory: DomainDirectory): string {
  const extra = extraPart(input);
  if (extra) throw refuse(extra);
  const name = input.toLowerCase().replace(/\.$/, '');
  const ascii = domainToASCII(name);
  if (!ascii) throw refuse('is not a valid domain name');
  if (isIP(ascii) !== 0) throw refuse('must be a domain name, not an IP address');
  const labels = ascii.split('.');
  if (PRIVATE_TLDS.has(labels.at(-1) ?? '')) {
    throw refuse('is a local-only name (localhost, .local, .internal), not a public domain');
  }
  if (labels.length < 2) throw refuse('needs at least two labels, such as go.example.com');
  if (!labels.every((label) => LABEL.test(label))) {
    throw refuse(
      'has an invalid label: each has 1 to 63 letters, digits or hyphens, and no hyphen at either end',
    );
  }
  if (ascii.length > 253) throw refuse('is longer than 253 characters');
  if (directory.match(ascii)?.kind === 'default') throw refuse('is this server’s own domain');
  return ascii;
}
