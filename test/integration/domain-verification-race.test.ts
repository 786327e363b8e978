import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { dnsResolver } from '../../src/adapters/dns.js';
import { isUniqueViolation } from '../../src/db/index.js';
import { signUp, startTestApp, type Dialect, type TestApp, type TestUser } from '../helpers/app.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { scratchMigrations } from '../helpers/migrations.js';
import { createLink, hit, locations, until } from '../helpers/redirect.js';
import { postgresMissing } from '../helpers/services.js';

/**
 * RED-10: a host has at most one active holder, enforced by the database, whatever the timing
 * of the workspaces verifying it and of the daily re-check.
 */

const pgMissing = await postgresMissing();

interface DomainBody {
  id: string;
  host: string;
  status: string;
  verification: { name: string; value: string };
}

/** Lookups of one name answered but held back until released, so callers overlap on purpose. */
interface LookupHold {
  name: string;
  /** Lookups held so far. */
  waiting: number;
  /** How many more lookups of the name to hold; later ones pass. */
  remaining: number;
  release(): void;
  released: Promise<void>;
}

function holdFor(name: string, lookups: number): LookupHold {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  return { name, waiting: 0, remaining: lookups, release, released };
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `one active holder per custom domain on ${dialect} (RED-10)`,
    () => {
      let t: TestApp;
      let dns: TestDnsServer;
      let alice: TestUser;
      let bob: TestUser;
      let hold: LookupHold | null = null;
      const clock = new ManualClock(Date.now());

      beforeAll(async () => {
        dns = await startDnsServer();
        const real = dnsResolver([dns.address]);
        t = await startTestApp({
          dialect,
          env: { QRLINK_SIGNUP: 'open' },
          overrides: {
            clock,
            // The real resolver against the test DNS server, with answers held where a test says.
            resolver: {
              async resolveTxt(name) {
                const records = await real.resolveTxt(name);
                const current = hold;
                if (current?.name === name && current.remaining > 0) {
                  current.remaining--;
                  current.waiting++;
                  await current.released;
                }
                return records;
              },
            },
          },
        });
        alice = await signUp(t.url);
        bob = await signUp(t.url);
      });
      afterAll(async () => {
        hold?.release();
        await t?.close();
        await dns?.close();
      });

      async function addDomain(user: TestUser, host: string): Promise<DomainBody> {
        const res = await user.api.request('POST', '/api/v1/domains', { host });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body as DomainBody;
      }
      const verify = (user: TestUser, domain: DomainBody) =>
        user.api.request('POST', `/api/v1/domains/${domain.id}/verify`);
      async function statusOf(user: TestUser, domain: DomainBody): Promise<string> {
        const res = await user.api.request('GET', '/api/v1/domains');
        return res.body.items.find((d: DomainBody) => d.id === domain.id).status;
      }
      async function activeHolders(host: string): Promise<string[]> {
        const rows = await t.app.ctx.db
          .selectFrom('domains')
          .select('workspace_id')
          .where('host', '=', host)
          .where('status', '=', 'active')
          .execute();
        return rows.map((r) => r.workspace_id);
      }
      /** Holds the next `lookups` answers for the host's record until `hold.release()`. */
      async function holdLookups(host: string, lookups: number, run: () => Promise<void>) {
        const current = holdFor(`_qrlink.${host}`, lookups);
        hold = current;
        try {
          await run();
        } finally {
          current.release();
          hold = null;
        }
      }

      it('the daily re-check does not re-activate a host another workspace verified meanwhile', async () => {
        const host = 'recheck.example';
        const mine = await addDomain(alice, host);
        dns.txt.set(mine.verification.name, [mine.verification.value]);
        expect((await verify(alice, mine)).status).toBe(200);
        clock.advance(25 * 3600_000);

        await holdLookups(host, 1, async () => {
          // The job read Alice's record while it was still there, then stalls.
          const run = t.app.domains.recheckAll();
          const reading = await until(
            async () => hold?.waiting ?? 0,
            (n) => n === 1,
            10_000,
          );
          expect(reading.ok).toBe(true);

          // Meanwhile the record changes hands: Alice's check fails, Bob verifies.
          const theirs = await addDomain(bob, host);
          dns.txt.set(mine.verification.name, [theirs.verification.value]);
          expect((await verify(alice, mine)).status).toBe(422);
          expect(await statusOf(alice, mine)).toBe('failed');
          expect((await verify(bob, theirs)).status).toBe(200);

          hold?.release();
          await run;
        });

        expect(await activeHolders(host)).toEqual([bob.workspaceId]);
        expect(await statusOf(alice, mine)).toBe('failed');
      });

      // Last: the users' callers still point at the server from before the restart.
      it('lets one of two workspaces verifying a host at the same moment hold it, across a restart', async () => {
        const host = 'race.example';
        const mine = await addDomain(alice, host);
        const theirs = await addDomain(bob, host);
        dns.txt.set(mine.verification.name, [mine.verification.value, theirs.verification.value]);

        let answers: Awaited<ReturnType<typeof verify>>[] = [];
        await holdLookups(host, 2, async () => {
          const both = Promise.all([verify(alice, mine), verify(bob, theirs)]);
          // Both lookups found their record before either verification goes on.
          const overlapping = await until(
            async () => hold?.waiting ?? 0,
            (n) => n === 2,
            10_000,
          );
          expect(overlapping.ok).toBe(true);
          hold?.release();
          answers = await both;
        });

        expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
        const winnerIndex = answers.findIndex((res) => res.status === 200);
        const [winner, winnerDomain, loser, loserDomain] =
          winnerIndex === 0 ? [alice, mine, bob, theirs] : [bob, theirs, alice, mine];
        const refused = answers[1 - winnerIndex];
        expect(refused?.headers.get('content-type')).toContain('application/problem+json');
        expect(refused?.body).toMatchObject({ status: 409, code: 'domain_taken' });
        expect(refused?.body.detail).toContain(host);
        expect(await statusOf(loser, loserDomain)).toBe('pending');
        expect(await statusOf(winner, winnerDomain)).toBe('active');
        expect(await activeHolders(host)).toEqual([winner.workspaceId]);

        // The database itself refuses a second holder, whatever the code path.
        const second = await t.app.ctx.db
          .updateTable('domains')
          .set({ status: 'active' })
          .where('id', '=', loserDomain.id)
          .execute()
          .then(
            () => null,
            (err: unknown) => err,
          );
        expect(isUniqueViolation(second)).toBe(true);

        const link = await createLink(winner, {
          url: 'https://example.com/race-winner',
          domain: host,
          code: 'race',
        });
        const routed = async () => locations(await hit(t.url, `/${link.code}`, { host }));
        expect(await routed()).toEqual(['https://example.com/race-winner']);
        expect(
          (
            await loser.api.request('POST', '/api/v1/links', {
              url: 'https://example.com/',
              domain: host,
            })
          ).status,
        ).toBe(400);

        await t.restart();
        expect(await routed()).toEqual(['https://example.com/race-winner']);
        expect(await activeHolders(host)).toEqual([winner.workspaceId]);
      });
    },
  );

  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `migration to one active holder per host on ${dialect}`,
    () => {
      const scratch = scratchMigrations(dialect);

      it('keeps the earliest-verified holder active, demotes the others and tells them', async () => {
        const { database, migrator } = scratch();
        expect((await migrator.migrateTo('2026-11-26-08-login-failures')).error).toBeUndefined();
        const db = database.db;
        await sql`
          insert into workspaces (id, name, plan, created_at)
          values ('wsp_a', 'A', 'free', 1), ('wsp_b', 'B', 'free', 1), ('wsp_c', 'C', 'free', 1)`.execute(
          db,
        );
        // Two holders of shared.example (B verified first), one of solo.example, one pending.
        await sql`
          insert into domains (id, workspace_id, host, verification_token, status, verified_at,
            checked_at, root_url, not_found_url, created_at)
          values ('dom_a', 'wsp_a', 'shared.example', 't1', 'active', 2000, 2000, null, null, 1),
            ('dom_b', 'wsp_b', 'shared.example', 't2', 'active', 1000, 1000, null, null, 2),
            ('dom_c', 'wsp_c', 'shared.example', 't3', 'pending', null, null, null, null, 3),
            ('dom_s', 'wsp_a', 'solo.example', 't4', 'active', 3000, 3000, null, null, 4)`.execute(
          db,
        );

        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        const domains = await sql<{ id: string; status: string; verified_at: number | null }>`
          select id, status, verified_at from domains order by id`.execute(db);
        expect(domains.rows.map((r) => [r.id, r.status])).toEqual([
          ['dom_a', 'pending'],
          ['dom_b', 'active'],
          ['dom_c', 'pending'],
          ['dom_s', 'active'],
        ]);
        const audit = await sql<{ workspace_id: string; action: string; target_id: string }>`
          select workspace_id, action, target_id from audit_log`.execute(db);
        expect(audit.rows).toEqual([
          { workspace_id: 'wsp_a', action: 'domain.demote', target_id: 'dom_a' },
        ]);
        const changes = await sql<{ kind: string; entity_id: string }>`
          select kind, entity_id from changes`.execute(db);
        expect(changes.rows).toEqual([{ kind: 'domain', entity_id: 'dom_a' }]);

        const second = await sql`update domains set status = 'active' where id = 'dom_c'`
          .execute(db)
          .then(
            () => null,
            (err: unknown) => err,
          );
        expect(isUniqueViolation(second)).toBe(true);
      });
    },
  );
}
