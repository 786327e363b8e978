import { hash, verify } from '@node-rs/argon2';
import type { FieldError } from '../errors.js';

/** OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, parallelism 1 (ACC-01). */
const ARGON2_OPTIONS = {
  // Algorithm.Argon2id; the package's enum is a const enum, which verbatimModuleSyntax cannot import.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Length in Unicode code points, so a 128-character password is never silently cut (ACC-02). */
export function checkPasswordPolicy(password: string, field = '/password'): FieldError | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN)
    return { field, message: `must be at least ${PASSWORD_MIN} characters` };
  if (length > PASSWORD_MAX)
    return { field, message: `must be at most ${PASSWORD_MAX} characters` };
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), ARGON2_OPTIONS);
}

/** True when a stored hash is weaker than (or not) today's argon2id policy (ACC-01). */
export function needsRehash(stored: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!match) return true;
  return Number(match[1]) < ARGON2_OPTIONS.memoryCost || Number(match[2]) < ARGON2_OPTIONS.timeCost;
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password.normalize('NFC'));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash so an unknown e-mail costs the same time as a wrong
 * password (ACC-04).
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password-0000');
  await verifyPassword(await dummyHash, password);
}
