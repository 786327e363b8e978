import { randomBytes, randomUUID } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Opaque, URL-safe ids that sort by creation time: `lnk_` + 10 chars of millisecond time +
 * 16 random chars (80 bits), all Crockford base32. Sorting by id gives a stable pagination order.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let out = prefix + '_';
  let time = now;
  const timeChars = new Array<string>(10);
  for (let i = 9; i >= 0; i--) {
    timeChars[i] = CROCKFORD[time % 32] as string;
    time = Math.floor(time / 32);
  }
  out += timeChars.join('');
  const random = randomBytes(10);
  // 80 random bits → 16 base32 characters, 5 bits at a time.
  let buffer = 0;
  let bits = 0;
  for (const byte of random) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(buffer >> bits) & 31];
    }
  }
  return out;
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits from randomUUID's
 * pooled entropy. Event ids that grow with time append to the primary-key index instead of
 * landing on a random page of it, which is what makes storing scan events cheap at scale;
 * they stay unique across processes without coordination (ANA-03).
 */
export function uuidv7(now: number = Date.now()): string {
  const random = randomUUID();
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
