import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLink } from '../../src/links/repo.js';
import { newId } from '../../src/shared/ids.js';
import { caller, signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import {
  createLink,
  hit,
  locations,
  sleep,
  UA,
  until,
  type CreatedLink,
} from '../helpers/redirect.js';
import { linkRow } from '../helpers/fixtures.js';
import { postgresAdminFor, postgresMissing, type PostgresAdmin } from '../helpers/services.js';

const pgMissing = await postgresMissing();

describe.skipIf(pgMissing)('PostgreSQL unreachable (RED-13, FLT-01)', () => {
  let t: TestApp;
  let user: TestUser;
  let admin: PostgresAdmin;
  let down = false;
  beforeAll(async () => {
    t = await startTestApp({ dialect: 'postgres', env: { QRLINK_SIGNUP: 'open' } });
    user = await signUp(t.url);
    admin = await postgresAdminFor(t.app.ctx.config.db.postgresUrl as string);
  });
  afterAll(async () => {
    if (down) await restore();
    await admin.end();
    await t.close();
  });

  /** No new connections to the app's database, and every open one is cut. */
  async function cut(): Promise<void> {
    down = true;
    await admin.alterDatabase('allow_connections false');
    await admin.cutSessions();
    const unreachable = await until(
      () =>
        t.app.database.ping().then(
          () => false,
          () => true,
        ),
      (failed) => failed,
      5000,
    );
    expect(unreachable.ok).toBe(true);
  }
  async function restore(): Promise<void> {
    await admin.alterDatabase('allow_connections true');
    down = false;
    const back = await until(
      () =>
        t.app.database.ping().then(
          () => true,
          () => false,
        ),
      (ok) => ok,
      5000,
    );
    expect(back.ok).toBe(true);
  }

  it('keeps cached links redirecting, answers 503 for the rest, and caches no 404', async () => {
    const cached: CreatedLink[] = [];
    for (let i = 0; i < 5; i++) {
      cached.push(await createLink(user, { url: `https://example.com/cached/${i}` }));
    }
    const limited = await createLink(user, {
      url: 'https://example.com/limited',
      maxScans: 3,
      fallbackUrl: 'https://example.com/limit-reached',
    });
    for (const link of [...cached, limited]) {
      await until(
        () => hit(t.url, `/${link.code}`, {}, 'HEAD'),
        (res) => res.status === 302,
      );
    }
    // A link the store has but this process never saw (written around the change log).
    const now = Date.now();
    await insertLink(
      t.app.database.db,
      linkRow({
        id: newId('lnk', now),
        workspaceId: user.workspaceId,
        code: 'UNSEEN01',
        createdBy: user.userId,
        now,
        url: 'https://example.com/unseen',
      }),
    );

    // A transaction open when the server goes away fails; the process must not (FLT-01).
    const inflight = t.app.database.db
      .transaction()
      .execute(async (tx) => {
        await sql`select 1`.execute(tx);
        await sleep(1500);
        await sql`select 1`.execute(tx);
      })
      .then(
        () => null,
        (err: unknown) => err,
      );
    await sleep(100);
    await cut();
    try {
      expect(await inflight).toBeInstanceOf(Error);
      let errors = 0;
      const requests = 300;
      await Promise.all(
        Array.from({ length: 10 }, async (_, worker) => {
          for (let i = worker; i < requests; i += 10) {
            const link = cached[i % cached.length] as CreatedLink;
            const res = await hit(t.url, `/${link.code}`);
            const expected = `https://example.com/cached/${i % cached.length}`;
            if (res.status !== 302 || locations(res)[0] !== expected) errors++;
          }
        }),
      );
      expect(errors).toBe(0);

      for (const code of ['UNSEEN01', 'unseen01', 'NOSUCH99']) {
        for (let i = 0; i < 3; i++) {
          const res = await hit(t.url, `/${code}`);
          expect(res.status, code).toBe(503);
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
          expect(locations(res)).toEqual([]);
        }
      }

      // HEAD and bot requests are answered, and do not use up the scan limit.
      for (let i = 0; i < 5; i++) {
        for (const res of [
          await hit(t.url, `/${limited.code}`, {}, 'HEAD'),
          await hit(t.url, `/${limited.code}`, { 'user-agent': UA.googlebot }),
        ]) {
          expect(res.status).toBe(302);
          expect(locations(res)).toEqual(['https://example.com/limited']);
        }
      }
      expect(locations(await hit(t.url, `/${limited.code}`))).toEqual([
        'https://example.com/limited',
      ]);
      expect((await caller(t.url).request('GET', '/readyz')).status).toBe(503);
      await sleep(1200); // the change feed and the scan counter fail meanwhile, harmlessly
    } finally {
      await restore();
    }

    // The store is back: nothing was remembered as "not found".
    const unseen = await until(
      () => hit(t.url, '/unseen01'),
      (res) => res.status === 302,
      2000,
    );
    expect(locations(unseen.value)).toEqual(['https://example.com/unseen']);
    expect((await hit(t.url, '/NOSUCH99')).status).toBe(404);
    expect(locations(await hit(t.url, `/${limited.code}`))).toEqual([
      'https://example.com/limited',
    ]);
    expect(locations(await hit(t.url, `/${limited.code}`))).toEqual([
      'https://example.com/limited',
    ]);
    expect(locations(await hit(t.url, `/${limited.code}`))).toEqual([
      'https://example.com/limit-reached',
    ]);

    // LISTEN comes back, and edits flow again.
    const listening = await until(
      async () => t.app.redirect.feed.listening,
      (up) => up,
      10_000,
    );
    expect(listening.ok).toBe(true);
    const first = cached[0] as CreatedLink;
    expect(
      (
        await user.api.request('PATCH', `/api/v1/links/${first.id}`, {
          url: 'https://example.com/after',
        })
      ).status,
    ).toBe(200);
    const edited = await until(
      () => hit(t.url, `/${first.code}`),
      (res) => locations(res)[0] === 'https://example.com/after',
    );
    expect(edited.ok).toBe(true);
  });
});
