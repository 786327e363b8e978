import { sql } from 'kysely';
import type { Executor } from '../db/index.js';
import { keyedHash } from './tokens.js';

/**
 * Progressive delay after failed logins (ACC-03), per account and per client IP: the first
 * few failures cost nothing, then each further attempt must wait twice as long as the last,
 * up to a cap. It slows guessing to a crawl without letting anyone lock a user out for long.
 */
export interface ThrottlePolicy {
  /** Failures allowed before any delay. */
  free: number;
  /** Longest delay, in ms. */
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = {
  free: 3,
  maxDelayMs: 60_000,
  windowMs: 15 * 60_000,
};
export const IP_POLICY: ThrottlePolicy = { free: 10, maxDelayMs: 300_000, windowMs: 15 * 60_000 };

/** A key's failures within the window: how many, and when the latest was. */
export interface Failures {
  count: number;
  last: number;
}

/** Milliseconds an attempt must still wait after `failures` (0 = go ahead). */
export function throttleWaitMs(
  policy: ThrottlePolicy,
  failures: Failures | null,
  now: number,
): number {
  if (!failures || now - failures.last > policy.windowMs) return 0;
  const over = failures.count - policy.free;
  if (over < 0) return 0;
  const delay = Math.min(1000 * 2 ** over, policy.maxDelayMs);
  return Math.max(0, failures.last + delay - now);
}

/**
 * Failure counts kept in the database, so every process of a deployment (`serve --workers N`,
 * several nodes on PostgreSQL) and a restarted one see the same counts. Keys are stored as
 * keyed hashes: no e-mail address or IP at rest.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Executor,
    private readonly secret: string,
    /** Keeps the account and IP counters apart (`account`, `ip`). */
    private readonly scope: string,
    private readonly policy: ThrottlePolicy,
  ) {}

  /**
   * Counts this attempt as a failure before the (slow) password check, in one atomic upsert,
   * so a parallel burst is counted attempt by attempt; answers how long the attempt must still
   * wait. A refused attempt is taken back unless another attempt has been counted since.
   */
  async attempt(key: string, now: number): Promise<number> {
    const id = this.#id(key);
    const recent = sql<boolean>`${now} - login_failures.last_at <= ${this.policy.windowMs}`;
    const row = await this.db
      .insertInto('login_failures')
      .values({ key: id, failures: 1, last_at: now, previous_at: null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`case when ${recent} then login_failures.failures + 1 else 1 end`,
          previous_at: sql`case when ${recent} then login_failures.last_at else null end`,
          last_at: now,
        }),
      )
      .returning(['failures', 'previous_at'])
      .executeTakeFirstOrThrow();
    const before =
      row.previous_at === null ? null : { count: row.failures - 1, last: row.previous_at };
    const wait = throttleWaitMs(this.policy, before, now);
    if (wait > 0) {
      await this.db
        .updateTable('login_failures')
        .set({ failures: row.failures - 1, last_at: row.previous_at ?? now })
        .where('key', '=', id)
        .where('failures', '=', row.failures)
        .execute();
    }
    return wait;
  }

  /** Takes back one counted failure (an attempt counted up front turned out to succeed). */
  async forgive(key: string): Promise<void> {
    const id = this.#id(key);
    await this.db
      .updateTable('login_failures')
      .set({ failures: sql`failures - 1` })
      .where('key', '=', id)
      .execute();
    await this.db
      .deleteFrom('login_failures')
      .where('key', '=', id)
      .where('failures', '<=', 0)
      .execute();
  }

  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('key', '=', this.#id(key)).execute();
  }

  #id(key: string): string {
    return keyedHash(this.secret, `login:${this.scope}:${key}`);
  }
}

/** Deletes counters whose latest failure is older than every policy's window. */
export async function pruneLoginFailures(db: Executor, now: number): Promise<number> {
  const window = Math.max(ACCOUNT_POLICY.windowMs, IP_POLICY.windowMs);
  const result = await db
    .deleteFrom('login_failures')
    .where('last_at', '<', now - window)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
