import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../adapters/clock.js';
import { memoryLimiter } from '../adapters/limiter.js';
import { loadConfig } from '../config/index.js';
import type { AppContext } from '../context.js';
import { migrateToLatest, openDatabase, type Database } from '../db/index.js';
import { liveStreams, type LiveViewer } from './live-streams.js';

let database: Database;
let ctx: AppContext;
const warnings: string[] = [];

beforeAll(async () => {
  database = openDatabase({ postgresUrl: null, sqliteFile: ':memory:' });
  await migrateToLatest(database);
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  ctx = {
    config: loadConfig({}),
    db: database.db,
    dialect: database.dialect,
    clock: systemClock,
    secret: 'unit-test-secret-unit-test-secret-0000',
    mailer: { send: async () => undefined, close: () => undefined },
    limiter: memoryLimiter(),
    log,
  };
});
afterAll(() => database.close());

/** A viewer that counts the checks asked of it and whether it was ended. */
function viewer(access: string, stillAllowed: () => Promise<boolean>) {
  const seen = { checks: 0, ended: false };
  const v: LiveViewer = {
    workspaceId: 'wsp_unit',
    credential: access,
    access,
    stillAllowed: () => {
      seen.checks++;
      return stillAllowed();
    },
    end: () => void (seen.ended = true),
  };
  return { v, seen };
}

async function waitFor(condition: () => boolean, deadlineMs = 2000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('liveStreams', () => {
  it('asks once per round for the streams opened with the same access', async () => {
    const streams = liveStreams(ctx);
    const a1 = viewer('key:a', async () => true);
    const a2 = viewer('key:a', async () => true);
    const b = viewer('key:b', async () => true);
    for (const { v } of [a1, a2, b]) await streams.open(v);
    await waitFor(() => b.seen.checks >= 2);
    expect(a1.seen.checks + a2.seen.checks).toBe(b.seen.checks);
    await streams.closeAll();
    expect([a1, a2, b].every(({ seen }) => seen.ended)).toBe(true);
  });

  it('ends a stream whose access cannot be confirmed, and says why', async () => {
    const streams = liveStreams(ctx);
    const failing = viewer('session:down', () => Promise.reject(new Error('database gone')));
    const fine = viewer('session:up', async () => true);
    await streams.open(failing.v);
    await streams.open(fine.v);
    await waitFor(() => failing.seen.ended);
    expect(fine.seen.ended).toBe(false);
    expect(warnings.some((line) => line.includes('access not confirmed'))).toBe(true);
    await streams.closeAll();
  });

  it('refuses new streams once closing has begun', async () => {
    const streams = liveStreams(ctx);
    await streams.closeAll();
    await expect(streams.open(viewer('key:late', async () => true).v)).rejects.toMatchObject({
      code: 'service_unavailable',
    });
  });
});
