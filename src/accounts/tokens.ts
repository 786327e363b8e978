import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256-bit random token, base64url (43 chars); for sessions, resets and invitations. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens are 256-bit random, so a plain SHA-256 is enough to make a stolen table useless. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Keyed hash (HMAC-SHA-256 with the server secret), for API keys (ACC-07). */
export function keyedHash(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Normalised e-mail: trimmed, NFC, lower-cased (local parts are case-insensitive in practice). */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}
