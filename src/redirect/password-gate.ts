import { createHmac } from 'node:crypto';
import { verifyPassword } from '../accounts/passwords.js';
import { safeEqual } from '../accounts/tokens.js';
import { clientKey } from './miss-throttle.js';

export const GRANT_TTL_MS = 15 * 60_000;
export const PASSWORD_ATTEMPT_WINDOW_MS = 60_000;
const ATTEMPTS_PER_WINDOW = 5;

/**
 * Where password attempts are counted: one store for every process of a deployment (the
 * database), so the allowance holds whichever process, worker or node a guess reaches.
 */
export interface PasswordAttempts {
  /**
   * Counts one attempt on `key` atomically; a window lasts `windowMs` from its first attempt.
   * Answers the attempts in the window, this one included, and when the window began.
   */
  count(
    key: string,
    now: number,
    windowMs: number,
  ): Promise<{ attempts: number; windowStart: number }>;
  /** Takes back one attempt counted in the window that began at `windowStart`. */
  forgive(key: string, windowStart: number): Promise<void>;
}

export type GateAnswer =
  { outcome: 'granted' } | { outcome: 'wrong' } | { outcome: 'blocked'; retryAfterSeconds: number };

/**
 * Password-protected links (RED-15): the password only ever arrives in a POST body; a correct
 * one earns a short-lived signed cookie scoped to that link's path. Attempts are limited per
 * client (IPv4 address or IPv6 /64) and link.
 */
export class PasswordGate {
  constructor(
    private readonly secret: string,
    private readonly now: () => number,
    private readonly attempts: PasswordAttempts,
  ) {}

  cookieName(linkId: string): string {
    return `qrl_pw_${linkId.slice(-12)}`;
  }

  private sign(linkId: string, expires: number): string {
    return createHmac('sha256', this.secret)
      .update(`link-password\n${linkId}\n${expires}`)
      .digest('base64url');
  }

  grant(linkId: string): { value: string; maxAgeSeconds: number } {
    const expires = this.now() + GRANT_TTL_MS;
    return {
      value: `${expires}.${this.sign(linkId, expires)}`,
      maxAgeSeconds: GRANT_TTL_MS / 1000,
    };
  }

  hasGrant(linkId: string, cookieHeader: string | undefined): boolean {
    if (!cookieHeader) return false;
    const name = this.cookieName(linkId) + '=';
    for (const part of cookieHeader.split(';')) {
      const trimmed = part.trim();
      if (!trimmed.startsWith(name)) continue;
      const [expires, signature] = trimmed.slice(name.length).split('.');
      const expiresAt = Number(expires);
      if (!signature || !Number.isFinite(expiresAt) || expiresAt < this.now()) return false;
      return safeEqual(signature, this.sign(linkId, expiresAt));
    }
    return false;
  }

  /**
   * Counts the attempt before the (slow) verification, so a parallel burst is counted attempt by
   * attempt and no more wrong guesses than the allowance are ever verified. A correct password
   * gives its attempt back: visitors sharing an address (an office, an event's Wi-Fi) do not
   * use it up.
   */
  async attempt(linkId: string, ip: string, hash: string, password: string): Promise<GateAnswer> {
    const key = createHmac('sha256', this.secret)
      .update(`link-password-attempt\n${linkId}\n${clientKey(ip)}`)
      .digest('hex');
    const now = this.now();
    const { attempts, windowStart } = await this.attempts.count(
      key,
      now,
      PASSWORD_ATTEMPT_WINDOW_MS,
    );
    if (attempts > ATTEMPTS_PER_WINDOW) {
      const waitMs = windowStart + PASSWORD_ATTEMPT_WINDOW_MS - now;
      return { outcome: 'blocked', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    if (!(await verifyPassword(hash, password))) return { outcome: 'wrong' };
    await this.attempts.forgive(key, windowStart);
    return { outcome: 'granted' };
  }
}
