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

/**
 * Code keys no link may hold: the first path segment of every route the server answers itself
 * (API, pages, operational and browser-claimed paths). app.ts reads them from the route table once
 * every route is registered; keys, so checking a code is one lookup of the key it already has.
 */
export type ReservedCodes = ReadonlySet<string>;

/** A fresh random code whose key is not in `excluded`. Uniqueness is the caller's collision check. */
export function generateCode(excluded: ReservedCodes): string {
  let code: string;
  do {
    code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET.charAt(randomInt(32));
  } while (excluded.has(code));
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

/** The field error for a code the server's own paths claim, or null when it is free to take. */
export function reservedCodeError(
  code: string,
  reserved: ReservedCodes,
  field = '/code',
): FieldError | null {
  return reserved.has(codeKey(code)) ? { field, message: `"${code}" is reserved` } : null;
}

/** Checks the form of a custom slug chosen by a user; null when it is acceptable. */
export function validateCustomSlug(slug: string, field = '/code'): FieldError | null {
  if (slug.length === 0 || slug.length > MAX_SLUG_LENGTH) {
    return { field, message: `must be 1–${MAX_SLUG_LENGTH} characters long` };
  }
  if (!SLUG_PATTERN.test(slug)) {
    return { field, message: 'may contain only letters, digits, "_" and "-"' };
  }
  return null;
}
