import { createHmac, randomBytes } from 'node:crypto';

/**
 * Unique-visitor identity without storing who the visitor is (PRV-03): a keyed hash of
 * workspace, IP and user agent under a salt that changes every UTC day and is destroyed 48 h
 * after its day began. Without the salt the hash cannot be recomputed from a guessed IP, and
 * the same person gets unrelated ids on different days.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** A day's salt outlives its day by 24 h so late events (queue backlog) still hash alike. */
const SALT_LIFETIME_MS = 2 * DAY_MS;
const SALT_BYTES = 32;
const VISITOR_HASH_HEX_CHARS = 32;

/**
 * Where daily salts come from. The in-memory store suits one process; several processes must
 * share salts (e.g. in Redis, with a TTL) or one visitor counts once per process. The salt must
 * never be written next to the analytics data.
 */
export interface SaltSource {
  /** The salt of the UTC day containing `dayMs` (any timestamp within that day). */
  saltFor(dayMs: number): Buffer | Promise<Buffer>;
}

/** A salt source that answers without I/O, which enrichEvent needs per event. */
export interface SyncSaltSource extends SaltSource {
  saltFor(dayMs: number): Buffer;
}

export interface DailySaltStoreOptions {
  /** Current time in ms since the epoch; injectable for tests. */
  now?: () => number;
  /** Source of salt bytes; injectable for tests. */
  random?: (size: number) => Buffer;
}

/** A day's salt as it crosses a process boundary (base64: IPC messages are JSON). */
export interface SharedSalt {
  day: number;
  salt: string;
}

/** Start of the UTC day containing `timeMs`. */
export const utcDayStart = (timeMs: number): number => Math.floor(timeMs / DAY_MS) * DAY_MS;

/**
 * Salts held in process memory only, one random 32-byte salt per UTC day, created on first use.
 * Every call prunes expired salts; a periodic prune(now) keeps the 48 h promise on idle servers.
 */
export class DailySaltStore implements SyncSaltSource {
  readonly #salts = new Map<number, Buffer>();
  readonly #now: () => number;
  readonly #random: (size: number) => Buffer;

  constructor(options: DailySaltStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? randomBytes;
  }

  saltFor(dayMs: number): Buffer {
    this.prune(this.#now());
    const day = utcDayStart(dayMs);
    let salt = this.#salts.get(day);
    if (salt === undefined) {
      // A day already past its lifetime (a very late event) gets a fresh salt, which the next
      // prune destroys again: such events cannot be matched with that day's earlier visitors.
      salt = this.#random(SALT_BYTES);
      this.#salts.set(day, salt);
    }
    return salt;
  }

  /** Destroys (zeroes and forgets) every salt whose day began 48 h or more before `nowMs`. */
  prune(nowMs: number): void {
    for (const [day, salt] of this.#salts) {
      if (nowMs - day >= SALT_LIFETIME_MS) {
        salt.fill(0);
        this.#salts.delete(day);
      }
    }
  }

  /**
   * The live salts, with today's and tomorrow's created if missing, for handing to the other
   * processes of one server (`serve --workers N`): they must hash and bucket a visitor alike,
   * and tomorrow's is included so every process already holds it when the day turns.
   */
  share(nowMs: number): SharedSalt[] {
    this.saltFor(nowMs);
    this.saltFor(nowMs + DAY_MS);
    return [...this.#salts].map(([day, salt]) => ({ day, salt: salt.toString('base64') }));
  }

  /** Takes salts shared by another process in place of this process's own for those days. */
  adopt(shared: readonly SharedSalt[]): void {
    const now = this.#now();
    for (const { day, salt } of shared) {
      if (now - day >= SALT_LIFETIME_MS) continue;
      const bytes = Buffer.from(salt, 'base64');
      if (bytes.length !== SALT_BYTES || utcDayStart(day) !== day) continue;
      const previous = this.#salts.get(day);
      if (previous !== undefined && !previous.equals(bytes)) previous.fill(0);
      this.#salts.set(day, bytes);
    }
  }

  /** The UTC day starts whose salts currently exist (for tests and key-store checks). */
  days(): number[] {
    return [...this.#salts.keys()].sort((a, b) => a - b);
  }
}

/** Fields are joined with NUL, which neither ids nor header values can contain. */
function hmac(salt: Buffer, fields: readonly string[]): Buffer {
  return createHmac('sha256', salt).update(fields.join('\u0000'), 'utf8').digest();
}

/**
 * HMAC-SHA-256(salt, workspace ‖ 0x00 ‖ ip ‖ 0x00 ‖ userAgent), 128 bits as 32 hex chars:
 * enough that collisions among a day's visitors are negligible. The workspace is part of the
 * message so two workspaces cannot join their visitors.
 */
export function visitorHash(
  salt: Buffer,
  workspaceId: string,
  ip: string,
  userAgent: string,
): string {
  return hmac(salt, [workspaceId, ip, userAgent]).toString('hex').slice(0, VISITOR_HASH_HEX_CHARS);
}

/**
 * The bucket message is label ‖ 0x00 ‖ ip ‖ 0x00 ‖ ua ‖ 0x00: three separators where a
 * visitorHash message has two (header values cannot contain NUL), so the two never coincide.
 */
const BUCKET_LABEL = 'ab-bucket';
const BUCKET_BYTES = 6;
const BUCKET_RANGE = 2 ** (BUCKET_BYTES * 8);

/**
 * A number in [0, 1) that is stable for one visitor (IP + user agent) for one salt, i.e. one
 * UTC day: sticky A/B splits without a cookie. Not workspace-scoped, so a visitor lands in the
 * same bucket on every link that day.
 */
export function visitorBucket(salt: Buffer, ip: string, userAgent: string): number {
  return hmac(salt, [BUCKET_LABEL, ip, userAgent, '']).readUIntBE(0, BUCKET_BYTES) / BUCKET_RANGE;
}

/** `DNT: 1` or `Sec-GPC: 1` opts the visitor out of the visitor hash (PRV-05). */
export function shouldHashVisitor(headers: { dnt?: string; secGpc?: string }): boolean {
  return headers.dnt?.trim() !== '1' && headers.secGpc?.trim() !== '1';
}
