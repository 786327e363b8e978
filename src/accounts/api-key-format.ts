import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;

export type KeyMode = 'live' | 'test';

function base62(value: number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/**
 * `qrl_live_` + 32 random base62 characters (≈190 bits) + 6-character CRC32 checksum, so
 * secret scanners and our own parser can reject a mistyped or made-up key without a lookup.
 */
export function generateApiKey(mode: KeyMode): string {
  let body = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) body += BASE62[randomInt(62)];
  return `qrl_${mode}_${body}${base62(crc32(body), CHECKSUM_LENGTH)}`;
}

const KEY_PATTERN = new RegExp(
  `^qrl_(live|test)_([0-9A-Za-z]{${RANDOM_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

/** The key's mode when its shape and checksum are right, else null. */
export function parseApiKey(key: string): KeyMode | null {
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const [, mode, body, checksum] = match;
  return base62(crc32(body as string), CHECKSUM_LENGTH) === checksum ? (mode as KeyMode) : null;
}
