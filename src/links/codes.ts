import { randomInt } from 'node:crypto';
import type { FieldError } from '../errors.js';

/**
 * Short-link codes. Generated codes use Crockford base32 (digits and upper-case letters without
 * I, L, O, U) so a code read off a poster is unambiguous; custom slugs allow `[A-Za-z0-9_-]`.
 * Every lookup is case-insensitive: the store key of a code or slug is its upper-case form.
 * Crockford look-alikes (O→0, I/L→1) are deliberately not mapped: a key is just the upper-cased
 * code, so custom slugs containing those letters stay distinct and addressable.
 */

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 8 characters × 5 bits = 40 bits of entropy. */
export const CODE_LENGTH = 8;
export const MAX_SLUG_LENGTH = 64;

const SLUG_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Lower-case path words that the app, the API or browsers claim on every link domain. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  '.well-known',
  '_next',
  'about',
  'account',
  'admin',
  'api',
  'app',
  'apple-app-site-association',
  'assets',
  'auth',
  'billing',
  'callback',
  'dashboard',
  'docs',
  'domains',
  'favicon.ico',
  'health',
  'healthz',
  'help',
  'invite',
  'links',
  'login',
  'logout',
  'manifest.json',
  'metrics',
  'oauth',
  'openapi',
  'openapi.json',
  'password',
  'pricing',
  'privacy',
  'public',
  'qr',
  'readyz',
  'register',
  'reset',
  'robots.txt',
  'security.txt',
  'settings',
  'signin',
  'signup',
  'sitemap.xml',
  'static',
  'status',
  'support',
  'terms',
  'verify',
  'webhooks',
  'well-known',
  'workspaces',
  'www',
]);

/** A fresh random code; never a reserved word. Uniqueness is the caller's collision check. */
export function generateCode(): string {
  let code: string;
  do {
    code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET.charAt(randomInt(32));
  } while (isReservedSlug(code));
  return code;
}

/** The store key for a code or slug: lookups are case-insensitive. Input must be ASCII. */
export function codeKey(code: string): string {
  return code.toUpperCase();
}

/**
 * The lookup key for a code taken from a request path, or null when the text cannot be any
 * code or slug (so the caller can answer 404 without a lookup).
 */
export function normalizeCode(input: string): string | null {
  return SLUG_PATTERN.test(input) ? codeKey(input) : null;
}

export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug.toLowerCase());
}

/** Checks a custom slug chosen by a user; null when it is acceptable. */
export function validateCustomSlug(slug: string, field = '/code'): FieldError | null {
  if (slug.length === 0 || slug.length > MAX_SLUG_LENGTH) {
    return { field, message: `must be 1–${MAX_SLUG_LENGTH} characters long` };
  }
  if (!SLUG_PATTERN.test(slug)) {
    return { field, message: 'may contain only letters, digits, "_" and "-"' };
  }
  if (isReservedSlug(slug)) return { field, message: `"${slug}" is reserved` };
  return null;
}
