import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../adapters/clock.js';
import { memoryLimiter } from '../adapters/limiter.js';
import type { MailMessage } from '../adapters/mail.js';
import { loadConfig } from '../config/index.js';
import type { AppContext } from '../context.js';
import { migrateToLatest, openDatabase, type Database } from '../db/index.js';
import { AppError } from '../errors.js';
import * as passwords from './passwords.js';
import { accountsService, type AccountsService } from './service.js';

vi.mock('./passwords.js', async (importOriginal) => {
  const original = await importOriginal<typeof passwords>();
  return {
    ...original,
    verifyPassword: vi.fn(original.verifyPassword),
    burnPasswordCheck: vi.fn(original.burnPasswordCheck),
  };
});

let database: Database;
let accounts: AccountsService;
const sent: MailMessage[] = [];

beforeAll(async () => {
  database = openDatabase({ postgresUrl: null, sqliteFile: ':memory:' });
  await migrateToLatest(database);
  const clock = new ManualClock();
  const ctx: AppContext = {
    config: loadConfig({ QRLINK_SIGNUP: 'open' }),
    db: database.db,
    dialect: database.dialect,
    clock,
    secret: 'unit-test-secret-unit-test-secret-0000',
    mailer: { send: async (m) => void sent.push(m), close: () => undefined },
    limiter: memoryLimiter(() => clock.now()),
    log: pino({ level: 'silent' }),
  };
  accounts = accountsService(ctx);
  await accounts.createUser({ email: 'known@example.test', password: 'right password' });
});
afterAll(() => database.close());
beforeEach(() => vi.mocked(passwords.verifyPassword).mockClear());

async function failure(email: string, ip: string): Promise<AppError> {
  try {
    await accounts.login({ email, password: 'wrong password', ip });
  } catch (err) {
    return err as AppError;
  }
  throw new Error('login unexpectedly succeeded');
}

describe('login: unknown user and wrong password take the same path (ACC-04)', () => {
  it('verifies a password hash in both cases and fails with the same error', async () => {
    const wrong = await failure('known@example.test', '192.0.2.1');
    expect(passwords.verifyPassword).toHaveBeenCalledTimes(1);
    expect(passwords.burnPasswordCheck).not.toHaveBeenCalled();

    vi.mocked(passwords.verifyPassword).mockClear();
    const unknown = await failure('nobody@example.test', '192.0.2.2');
    // Instead, a dummy argon2 verification of the supplied password costs the same time.
    expect(passwords.burnPasswordCheck).toHaveBeenCalledWith('wrong password');

    expect(unknown).toBeInstanceOf(AppError);
    expect([unknown.code, unknown.status, unknown.message, unknown.headers]).toEqual([
      wrong.code,
      wrong.status,
      wrong.message,
      wrong.headers,
    ]);
  });

  it('answers a reset request for an unknown address exactly like a known one', async () => {
    await expect(accounts.requestPasswordReset('nobody@example.test', '192.0.2.3')).resolves.toBe(
      undefined,
    );
    await expect(accounts.requestPasswordReset('known@example.test', '192.0.2.3')).resolves.toBe(
      undefined,
    );
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.to).toBe('known@example.test');
  });
});
