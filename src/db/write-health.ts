import type { Executor } from './index.js';
import { recordWriteProbe } from './repo.js';

/** Why the database refuses writes, whichever engine says so. */
export type WriteFailureCause =
  'disk_full' | 'read_only' | 'cannot_open' | 'io_error' | 'permission_denied';

/** By driver error code, never by message text: SQLite's extended codes start with these. */
const SQLITE_CAUSES: readonly [prefix: string, cause: WriteFailureCause][] = [
  ['SQLITE_FULL', 'disk_full'],
  ['SQLITE_READONLY', 'read_only'],
  ['SQLITE_CANTOPEN', 'cannot_open'],
  ['SQLITE_IOERR', 'io_error'],
];

/** PostgreSQL SQLSTATEs: disk_full, read_only_sql_transaction, insufficient_privilege. */
const POSTGRES_CAUSES: Readonly<Record<string, WriteFailureCause>> = {
  '53100': 'disk_full',
  '25006': 'read_only',
  '42501': 'permission_denied',
};

/** The driver's error code (SQLITE_FULL, 25006, …), or null when the error carries none. */
export function driverErrorCode(err: unknown): string | null {
  if (!err || typeof err !== 'object' || !('code' in err)) return null;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : null;
}

/** The cause when an error says the database cannot take writes at all; null for any other. */
export function writeFailureCause(err: unknown): WriteFailureCause | null {
  const code = driverErrorCode(err);
  if (code === null) return null;
  if (code.startsWith('SQLITE_')) {
    return SQLITE_CAUSES.find(([prefix]) => code.startsWith(prefix))?.[1] ?? null;
  }
  return POSTGRES_CAUSES[code] ?? null;
}

/**
 * `unavailable` (from `check()` only): the probe failed for another reason (a connection cut, a
 * lock held too long); that says nothing about the disk, so it is neither remembered nor logged
 * as a change of state, and the next check probes again.
 */
export type WriteState =
  | { writable: true }
  | { writable: false; cause: WriteFailureCause | 'unavailable'; code: string | null };

interface HealthLog {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface WriteHealth {
  /** For readiness: the state after a write probe at most `probeEveryMs` old. */
  check(): Promise<WriteState>;
  /** A write elsewhere (`source`: an API request, an analytics batch) failed for this cause. */
  failed(cause: WriteFailureCause, code: string | null, source: string, detail: string): void;
  readonly state: WriteState;
  /** Writes refused so far (probes and reported failures), by cause (for /metrics). */
  readonly failures: ReadonlyMap<string, number>;
  stop(): void;
}

/** Probes are cheap (one upsert of one row) but they are writes: no more often than this. */
export const PROBE_EVERY_MS = 2000;

/**
 * Whether the database takes writes. Readiness probes it, failed writes anywhere report to it,
 * and while it refuses writes it probes on its own until one succeeds. The cause is logged once
 * per change between writable and not, never once per failure.
 */
export function watchWrites(
  db: Executor,
  log: HealthLog,
  options: { probeEveryMs?: number } = {},
): WriteHealth {
  const probeEveryMs = options.probeEveryMs ?? PROBE_EVERY_MS;
  let state: WriteState = { writable: true };
  let failingSince = 0;
  let lastProbe = 0;
  let probing: Promise<WriteState> | null = null;
  let retry: NodeJS.Timeout | undefined;
  const failures = new Map<string, number>();

  function markFailed(
    cause: WriteFailureCause,
    code: string | null,
    source: string,
    detail: string,
  ): void {
    failures.set(cause, (failures.get(cause) ?? 0) + 1);
    const wasWritable = state.writable;
    state = { writable: false, cause, code };
    if (!wasWritable) return;
    failingSince = Date.now();
    log.error({ cause, code, source, detail }, 'database cannot take writes');
    retry = setInterval(() => void probe('retry'), probeEveryMs);
    retry.unref();
  }

  function markWritable(): void {
    if (state.writable) return;
    log.info(
      { cause: state.cause, downMs: Date.now() - failingSince },
      'database takes writes again',
    );
    state = { writable: true };
    clearInterval(retry);
  }

  /** `retry`: the probe that waits for writes to come back, quiet about other failures. */
  function probe(by: 'readiness' | 'retry'): Promise<WriteState> {
    probing ??= recordWriteProbe(db, Date.now())
      .then(
        (): WriteState => {
          lastProbe = Date.now();
          markWritable();
          return state;
        },
        (err: unknown): WriteState => {
          const cause = writeFailureCause(err);
          const code = driverErrorCode(err);
          if (!cause) {
            if (by === 'readiness') log.warn({ err }, 'write probe failed');
            return { writable: false, cause: 'unavailable', code };
          }
          lastProbe = Date.now();
          markFailed(cause, code, 'probe', err instanceof Error ? err.message : String(err));
          return state;
        },
      )
      .finally(() => {
        probing = null;
      });
    return probing;
  }

  return {
    async check() {
      return Date.now() - lastProbe < probeEveryMs ? state : probe('readiness');
    },
    failed: markFailed,
    get state() {
      return state;
    },
    failures,
    stop() {
      clearInterval(retry);
    },
  };
}
