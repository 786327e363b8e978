import { describe, expect, it } from 'vitest';
import {
  PASSWORD_MAX,
  PASSWORD_MIN,
  checkPasswordPolicy,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './passwords.js';

describe('password policy and hashing (ACC-01/02)', () => {
  it('counts code points, not UTF-16 units or bytes', () => {
    expect(checkPasswordPolicy('a'.repeat(PASSWORD_MIN - 1))).not.toBeNull();
    expect(checkPasswordPolicy('a'.repeat(PASSWORD_MIN))).toBeNull();
    expect(checkPasswordPolicy('😀'.repeat(PASSWORD_MAX))).toBeNull();
    expect(checkPasswordPolicy('😀'.repeat(PASSWORD_MAX + 1))?.field).toBe('/password');
    // Four emoji are eight UTF-16 units but only four characters.
    expect(checkPasswordPolicy('😀😀😀😀')).not.toBeNull();
  });

  it('hashes with argon2id at or above the OWASP parameters, and never truncates', async () => {
    const a = 'x'.repeat(74) + 'A' + 'y'.repeat(5);
    const b = 'x'.repeat(74) + 'B' + 'y'.repeat(5);
    const stored = await hashPassword(a);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(stored)).toBe(false);
    expect(await verifyPassword(stored, a)).toBe(true);
    expect(await verifyPassword(stored, b)).toBe(false);
  });

  it('verifies canonically equivalent spellings (NFC) alike', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword(stored, 'cafe\u0301 au lait')).toBe(true);
  });

  it('flags weaker or foreign hashes for an upgrade; a broken hash never verifies', async () => {
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(needsRehash('$argon2id$v=19$m=65536,t=1,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
    expect(needsRehash('$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(false);
    expect(await verifyPassword('not a hash', 'whatever1')).toBe(false);
  });
});
