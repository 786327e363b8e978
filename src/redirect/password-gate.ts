import { createHmac } from 'node:crypto';
import { verifyPassword } from '../accounts/passwords.js';
import { safeEqual } from '../accounts/tokens.js';

export const GRANT_TTL_MS = 15 * 60_000;
const ATTEMPTS_PER_MINUTE = 5;

/**
 * Password-protected links (RED-15): the password only ever arrives in a POST body; a correct
 * one earns a short-lived signed cookie scoped to that link's path. Wrong attempts are limited
 * per IP and link.
 */
export class PasswordGate {
  private readonly attempts = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly secret: string,
    private readonly now: () => number,
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

  /** Seconds to wait when this IP has used up its attempts on this link, else 0. */
  blockedFor(linkId: string, ip: string): number {
    const entry = this.attempts.get(`${linkId}\n${ip}`);
    if (!entry) return 0;
    const elapsed = this.now() - entry.windowStart;
    if (elapsed >= 60_000) return 0;
    return entry.count >= ATTEMPTS_PER_MINUTE ? Math.ceil((60_000 - elapsed) / 1000) : 0;
  }

  async check(linkId: string, ip: string, hash: string, password: string): Promise<boolean> {
    const ok = await verifyPassword(hash, password);
    if (!ok) {
      const key = `${linkId}\n${ip}`;
      const time = this.now();
      const entry = this.attempts.get(key);
      if (!entry || time - entry.windowStart >= 60_000) {
        if (this.attempts.size > 100_000) this.attempts.clear();
        this.attempts.set(key, { count: 1, windowStart: time });
      } else entry.count++;
    }
    return ok;
  }
}
