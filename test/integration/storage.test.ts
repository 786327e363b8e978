import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/repo.js';
import { claimLiveStream, releaseLiveStreams, renewLiveStreams } from '../../src/analytics/repo.js';
import { ACCOUNT_POLICY, LoginThrottle, pruneLoginFailures } from '../../src/accounts/throttle.js';
import * as keys from '../../src/api-keys/repo.js';
import { listAudit, recordAudit } from '../../src/audit/repo.js';
import {
  isUniqueViolation,
  migrateToLatest,
  openDatabase,
  sqliteFileFor,
  type Database,
  type DialectName,
} from '../../src/db/index.js';
import { pruneIdempotencyKeys, IDEMPOTENCY_TTL_MS } from '../../src/http/idempotency.js';
import {
  countPasswordAttempt,
  forgivePasswordAttempt,
  prunePasswordAttempts,
} from '../../src/links/repo.js';
import { newId } from '../../src/shared/ids.js';
import * as workspaces from '../../src/workspaces/repo.js';
import {
  createScratchPostgres,
  postgresMissing,
  type ScratchPostgres,
} from '../helpers/services.js';

/**
 * One storage suite, run on SQLite and on PostgreSQL: every repo function of accounts,
 * workspaces, API keys, audit and the idempotency table, and the migrations. Each run creates
 * and drops its own database. Without PostgreSQL the second half is skipped with the reason
 * printed, unless QRLINK_REQUIRE_SERVICES=1 (CI), where postgresMissing() throws instead.
 */
const pgMissing = await postgresMissing();

// Epoch milliseconds beyond 2^31 must survive bigint columns on both dialects.
const T0 = Date.parse('2026-06-01T12:00:00Z');

async function expectUniqueViolation(promise: Promise<unknown>) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a unique violation').not.toBeNull();
  expect(isUniqueViolation(err)).toBe(true);
}

for (const dialect of ['sqlite', 'postgres'] as const satisfies readonly DialectName[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing !== null)(`storage on ${dialect}`, () => {
    let database: Database;
    let scratch: ScratchPostgres | null = null;
    let dir: string | null = null;
    let firstRun: string[];

    beforeAll(async () => {
      if (dialect === 'postgres') scratch = await createScratchPostgres();
      else dir = mkdtempSync(path.join(tmpdir(), 'qrlink-storage-'));
      database = openDatabase({
        postgresUrl: scratch?.url ?? null,
        sqliteFile: dir ? sqliteFileFor(dir) : ':memory:',
      });
      firstRun = (await migrateToLatest(database)).applied;
    });
    afterAll(async () => {
      await database?.close();
      await scratch?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const db = () => database.db;

    async function user(email = `u${newId('usr').slice(-8)}@example.test`) {
      const id = newId('usr', T0);
      await accounts.insertUser(db(), { id, email, name: 'n', passwordHash: 'h', now: T0 });
      return id;
    }

    async function workspace(owner: string, name = 'ws') {
      const id = newId('wsp', T0);
      await workspaces.insertWorkspace(db(), { id, name, plan: 'free', now: T0 });
      await workspaces.insertMembership(db(), {
        workspaceId: id,
        userId: owner,
        role: 'owner',
        now: T0,
      });
      return id;
    }

    it('uses the expected dialect and answers a ping', async () => {
      expect(database.dialect).toBe(dialect);
      await database.ping();
      expect(database.poolStats().total).toBeGreaterThanOrEqual(0);
    });

    it('runs a whole-table scan without growing the page cache, then restores it', async () => {
      const cacheSize = () => database.sqlite?.pragma('cache_size', { simple: true }) ?? null;
      const before = cacheSize();
      const during = await database.scanning(async () => cacheSize());
      expect(cacheSize()).toBe(before);
      if (dialect === 'sqlite') {
        expect(before).toBe(-131_072);
        expect(during).toBe(-2_048);
      } else {
        expect([before, during]).toEqual([null, null]);
      }
      await expect(database.scanning(() => Promise.reject(new Error('boom')))).rejects.toThrow(
        'boom',
      );
      expect(cacheSize()).toBe(before);
    });

    it('commits a transaction that reads, then writes after another connection wrote', async () => {
      // A second connection, as the analytics writer thread or another worker has.
      const other = openDatabase(database.options);
      other.sqlite?.pragma('busy_timeout = 200');
      try {
        const email = `race${newId('usr').slice(-8)}@example.test`;
        const committed = await db()
          .transaction()
          .execute(async (tx) => {
            await accounts.countUsers(tx);
            // The other connection writes between this transaction's read and its write: on
            // SQLite it waits for this transaction's lock (and gives up), never the reverse.
            await accounts
              .insertUser(other.db, {
                id: newId('usr', T0),
                email: `other-${email}`,
                name: 'n',
                passwordHash: 'h',
                now: T0,
              })
              .catch(() => undefined);
            await accounts.insertUser(tx, {
              id: newId('usr', T0),
              email,
              name: 'n',
              passwordHash: 'h',
              now: T0,
            });
            return true;
          });
        expect(committed).toBe(true);
        expect(await accounts.findUserByEmail(db(), email)).toBeDefined();
      } finally {
        await other.close();
      }
    });

    it('migrates from empty, and a second run applies nothing', async () => {
      expect(firstRun.length).toBeGreaterThan(0);
      expect((await migrateToLatest(database)).applied).toEqual([]);
      const tables = (await db().introspection.getTables()).map((t) => t.name);
      for (const name of [
        'users',
        'workspaces',
        'memberships',
        'sessions',
        'api_keys',
        'invitations',
        'password_resets',
        'audit_log',
        'idempotency_keys',
      ]) {
        expect(tables).toContain(name);
      }
    });

    describe('accounts', () => {
      it('stores users with unique e-mail and finds them by e-mail and id', async () => {
        const before = await accounts.countUsers(db());
        const id = await user('unique@example.test');
        expect(await accounts.countUsers(db())).toBe(before + 1);
        expect(await accounts.findUserByEmail(db(), 'unique@example.test')).toMatchObject({
          id,
          created_at: T0,
          password_changed_at: T0,
        });
        expect((await accounts.findUserById(db(), id))?.email).toBe('unique@example.test');
        expect(await accounts.findUserByEmail(db(), 'missing@example.test')).toBeUndefined();
        await expectUniqueViolation(user('unique@example.test'));
      });

      it('updates passwords: a change moves password_changed_at, a rehash does not', async () => {
        const id = await user();
        await accounts.updatePassword(db(), id, 'h2', T0 + 5);
        expect(await accounts.findUserById(db(), id)).toMatchObject({
          password_hash: 'h2',
          password_changed_at: T0 + 5,
        });
        await accounts.updatePasswordHash(db(), id, 'h3');
        expect(await accounts.findUserById(db(), id)).toMatchObject({
          password_hash: 'h3',
          password_changed_at: T0 + 5,
        });
      });

      it('finds live sessions by token hash only, and deletes one or all', async () => {
        const id = await user();
        for (const [sid, hash, expiresAt] of [
          ['ses_a', 'hash-a', T0 + 1000],
          ['ses_b', 'hash-b', T0 + 1000],
          ['ses_c', 'hash-c', T0 - 1],
        ] as const) {
          await accounts.insertSession(db(), {
            id: `${sid}${id}`,
            tokenHash: `${hash}${id}`,
            userId: id,
            now: T0 - 10,
            expiresAt,
          });
        }
        expect(await accounts.findSession(db(), `hash-a${id}`, T0)).toMatchObject({
          userId: id,
          sessionId: `ses_a${id}`,
        });
        expect(await accounts.findSession(db(), `hash-c${id}`, T0)).toBeUndefined();
        expect(await accounts.findSession(db(), `hash-a${id}`, T0 + 1000)).toBeUndefined();
        await expectUniqueViolation(
          accounts.insertSession(db(), {
            id: `ses_d${id}`,
            tokenHash: `hash-a${id}`,
            userId: id,
            now: T0,
            expiresAt: T0 + 1,
          }),
        );
        await accounts.deleteSession(db(), `ses_a${id}`);
        expect(await accounts.findSession(db(), `hash-a${id}`, T0)).toBeUndefined();
        expect(await accounts.findSession(db(), `hash-b${id}`, T0)).toBeDefined();
        await accounts.deleteSessionsOfUser(db(), id);
        expect(await accounts.findSession(db(), `hash-b${id}`, T0)).toBeUndefined();
      });

      it('consumes reset tokens once, never after expiry, and retires the rest', async () => {
        const id = await user();
        const reset = (hash: string, expiresAt = T0 + 3600_000) =>
          accounts.insertPasswordReset(db(), {
            tokenHash: `${hash}${id}`,
            userId: id,
            now: T0,
            expiresAt,
          });
        await reset('r1');
        await reset('r2');
        await reset('r3', T0 - 1);
        expect(await accounts.consumePasswordReset(db(), `r1${id}`, T0)).toEqual({ user_id: id });
        expect(await accounts.consumePasswordReset(db(), `r1${id}`, T0)).toBeUndefined();
        expect(await accounts.consumePasswordReset(db(), `r3${id}`, T0)).toBeUndefined();
        await accounts.retirePasswordResets(db(), id, T0);
        expect(await accounts.consumePasswordReset(db(), `r2${id}`, T0)).toBeUndefined();
      });
    });

    describe('failed-login counters (ACC-03)', () => {
      it('are shared by every throttle on the database, keyed by hash, and pruned', async () => {
        // Two throttles stand for two processes: the counts live in the database only.
        const first = new LoginThrottle(db(), 'secret', 'account', ACCOUNT_POLICY);
        const second = new LoginThrottle(db(), 'secret', 'account', ACCOUNT_POLICY);
        const email = 'guessed@example.test';
        for (let i = 0; i < ACCOUNT_POLICY.free; i++) {
          expect(await (i % 2 ? first : second).attempt(email, T0)).toBe(0);
        }
        expect(await second.attempt(email, T0)).toBe(1000);
        // A refused attempt is taken back: waiting does not grow while refused.
        expect(await first.attempt(email, T0 + 400)).toBe(600);
        expect(await first.attempt(email, T0 + 1000)).toBe(0);
        expect(await second.attempt(email, T0 + 1000)).toBe(2000);
        // Another scope or key has counters of its own.
        const ips = new LoginThrottle(db(), 'secret', 'ip', ACCOUNT_POLICY);
        expect(await ips.attempt(email, T0 + 1000)).toBe(0);
        expect(await second.attempt('other@example.test', T0 + 1000)).toBe(0);

        const rows = await db().selectFrom('login_failures').selectAll().execute();
        expect(rows).toHaveLength(3);
        expect(JSON.stringify(rows)).not.toContain('example.test');

        await first.forgive(email);
        expect(await second.attempt(email, T0 + 1500)).toBe(500);
        await first.reset(email);
        expect(await second.attempt(email, T0 + 1500)).toBe(0);

        expect(await pruneLoginFailures(db(), T0 + 1000 + ACCOUNT_POLICY.windowMs)).toBe(0);
        expect(await pruneLoginFailures(db(), T0 + 1501 + ACCOUNT_POLICY.windowMs)).toBe(3);
        expect(await db().selectFrom('login_failures').selectAll().execute()).toEqual([]);
      });
    });

    describe('password attempts on links (RED-15)', () => {
      it('count per key in windows that start at the first attempt; forgive only in that window', async () => {
        const count = (key: string, now: number) => countPasswordAttempt(db(), key, now, 60_000);
        expect(await count('a', T0)).toEqual({ attempts: 1, windowStart: T0 });
        expect(await count('a', T0 + 30_000)).toEqual({ attempts: 2, windowStart: T0 });
        expect(await count('b', T0 + 30_000)).toEqual({ attempts: 1, windowStart: T0 + 30_000 });
        await forgivePasswordAttempt(db(), 'a', T0);
        expect(await count('a', T0 + 59_999)).toEqual({ attempts: 2, windowStart: T0 });
        // A new window begins with the first attempt after the old one ended.
        expect(await count('a', T0 + 60_000)).toEqual({ attempts: 1, windowStart: T0 + 60_000 });
        // Taking back an attempt of the ended window does not touch the new one.
        await forgivePasswordAttempt(db(), 'a', T0);
        expect(await count('a', T0 + 60_001)).toEqual({ attempts: 2, windowStart: T0 + 60_000 });

        expect(await prunePasswordAttempts(db(), T0 + 30_000)).toBe(0);
        expect(await prunePasswordAttempts(db(), T0 + 30_001)).toBe(1);
        const left = await db().selectFrom('link_password_attempts').select('key').execute();
        expect(left).toEqual([{ key: 'a' }]);
      });
    });

    describe('live stream places', () => {
      const caps = { perCredential: 2, perWorkspace: 3 };
      let n = 0;
      const place = (workspaceId: string, credential: string, expiresAt = T0 + 30_000) => ({
        id: `place-${++n}`,
        workspaceId,
        credential,
        expiresAt,
      });
      const claim = (p: ReturnType<typeof place>, now = T0) =>
        claimLiveStream(db(), dialect, p, caps, now);

      it('are capped per credential and per workspace, freed on release or expiry, kept by renewal', async () => {
        const ws = await workspace(await user());
        const a1 = place(ws, 'key:a');
        expect(await claim(a1)).toBe('claimed');
        expect(await claim(place(ws, 'key:a'))).toBe('claimed');
        expect(await claim(place(ws, 'key:a'))).toBe('credential_full');
        const b1 = place(ws, 'session:b', T0 + 1000);
        expect(await claim(b1)).toBe('claimed');
        expect(await claim(place(ws, 'session:c'))).toBe('workspace_full');
        // Another workspace has places of its own.
        expect(await claim(place(await workspace(await user()), 'key:a'))).toBe('claimed');

        await releaseLiveStreams(db(), [a1.id]);
        expect(await claim(place(ws, 'key:a'))).toBe('claimed');
        expect(await claim(place(ws, 'session:c'))).toBe('workspace_full');
        // b1's process stopped renewing it: once expired, its place is free.
        expect(await claim(place(ws, 'session:c'), T0 + 999)).toBe('workspace_full');
        await renewLiveStreams(db(), [b1.id], T0 + 5000);
        expect(await claim(place(ws, 'session:c'), T0 + 4999)).toBe('workspace_full');
        expect(await claim(place(ws, 'session:c'), T0 + 5000)).toBe('claimed');
      });

      it('never exceed the workspace cap when claimed in parallel', async () => {
        const ws = await workspace(await user());
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => claim(place(ws, `key:${i}`))),
        );
        expect(results.filter((r) => r === 'claimed')).toHaveLength(caps.perWorkspace);
        expect(results.filter((r) => r === 'workspace_full')).toHaveLength(12 - caps.perWorkspace);
      });
    });

    describe('workspaces', () => {
      it('keeps memberships per workspace and lists a user’s workspaces oldest first', async () => {
        const alice = await user();
        const bob = await user();
        const a = await workspace(alice, 'alpha');
        const b = await workspace(bob, 'beta');
        await workspaces.insertMembership(db(), {
          workspaceId: b,
          userId: alice,
          role: 'viewer',
          now: T0 + 1,
        });
        expect(await workspaces.findMembership(db(), a, alice)).toMatchObject({
          id: a,
          name: 'alpha',
          role: 'owner',
        });
        expect(await workspaces.findMembership(db(), a, bob)).toBeUndefined();
        expect(
          (await workspaces.listWorkspacesOfUser(db(), alice)).map((w) => [w.id, w.role]),
        ).toEqual([
          [a, 'owner'],
          [b, 'viewer'],
        ]);
        expect((await workspaces.findWorkspaceByName(db(), 'beta'))?.id).toBe(b);
        await expectUniqueViolation(
          workspaces.insertMembership(db(), {
            workspaceId: a,
            userId: alice,
            role: 'admin',
            now: T0,
          }),
        );
      });

      it('renames, changes roles, counts owners and removes members', async () => {
        const owner = await user();
        const other = await user();
        const ws = await workspace(owner);
        await workspaces.updateWorkspace(db(), ws, { name: 'renamed', track: false });
        expect(await workspaces.findWorkspace(db(), ws)).toMatchObject({
          name: 'renamed',
          track: 0,
        });
        await workspaces.insertMembership(db(), {
          workspaceId: ws,
          userId: other,
          role: 'member',
          now: T0 + 1,
        });
        expect(await workspaces.countOwners(db(), ws)).toBe(1);
        await workspaces.updateRole(db(), ws, other, 'owner');
        expect(await workspaces.countOwners(db(), ws)).toBe(2);
        expect((await workspaces.listMembers(db(), ws)).map((m) => m.id)).toEqual([owner, other]);
        await workspaces.deleteMembership(db(), ws, other);
        expect((await workspaces.listMembers(db(), ws)).map((m) => m.id)).toEqual([owner]);
      });

      it('handles invitations: listed while pending, deleted only within their workspace, consumed once', async () => {
        const owner = await user();
        const ws = await workspace(owner);
        const otherWs = await workspace(owner);
        const invite = async (token: string, expiresAt = T0 + 3600_000) => {
          const id = newId('inv', T0);
          await workspaces.insertInvitation(db(), {
            id,
            workspaceId: ws,
            email: 'x@example.test',
            role: 'member',
            tokenHash: `${token}${ws}`,
            invitedBy: owner,
            now: T0,
            expiresAt,
          });
          return id;
        };
        const live = await invite('t1');
        const stale = await invite('t2', T0 - 1);
        const third = await invite('t3');
        expect((await workspaces.listInvitations(db(), ws, T0)).map((i) => i.id)).toEqual(
          [live, third].sort(),
        );
        expect(await workspaces.deleteInvitation(db(), otherWs, live)).toBe(false);
        expect(await workspaces.consumeInvitation(db(), `t2${ws}`, T0)).toBeUndefined();
        expect(await workspaces.consumeInvitation(db(), `t1${ws}`, T0)).toMatchObject({
          id: live,
          workspace_id: ws,
          role: 'member',
        });
        expect(await workspaces.consumeInvitation(db(), `t1${ws}`, T0)).toBeUndefined();
        expect(await workspaces.deleteInvitation(db(), ws, live)).toBe(false);
        expect(await workspaces.deleteInvitation(db(), ws, third)).toBe(true);
        expect(await workspaces.listInvitations(db(), ws, T0)).toEqual([]);
        expect(stale).toBeTruthy();
      });

      it('deleting a workspace removes its memberships, keys and invitations (foreign keys on)', async () => {
        const owner = await user();
        const ws = await workspace(owner);
        await keys.insertApiKey(db(), {
          id: newId('key', T0),
          workspaceId: ws,
          createdBy: owner,
          name: 'k',
          keyHash: `kh${ws}`,
          mode: 'live',
          last4: 'abcd',
          scopes: ['links:read'],
          now: T0,
        });
        await workspaces.insertInvitation(db(), {
          id: newId('inv', T0),
          workspaceId: ws,
          email: 'x@example.test',
          role: 'viewer',
          tokenHash: `it${ws}`,
          invitedBy: owner,
          now: T0,
          expiresAt: T0 + 1,
        });
        await workspaces.deleteWorkspace(db(), ws);
        expect(await workspaces.findWorkspace(db(), ws)).toBeUndefined();
        expect(await workspaces.listMembers(db(), ws)).toEqual([]);
        expect(await keys.listKeys(db(), ws)).toEqual([]);
        expect(await workspaces.listInvitations(db(), ws, 0)).toEqual([]);
      });
    });

    describe('API keys', () => {
      it('finds active keys by hash with the creator’s current role; lists, touches and revokes within the workspace', async () => {
        const owner = await user();
        const ws = await workspace(owner);
        const otherWs = await workspace(owner);
        const id = newId('key', T0);
        await keys.insertApiKey(db(), {
          id,
          workspaceId: ws,
          createdBy: owner,
          name: 'k',
          keyHash: `hash${id}`,
          mode: 'test',
          last4: 'wxyz',
          scopes: ['links:read', 'links:write'],
          now: T0,
        });
        await expectUniqueViolation(
          keys.insertApiKey(db(), {
            id: newId('key', T0),
            workspaceId: ws,
            createdBy: owner,
            name: 'dup',
            keyHash: `hash${id}`,
            mode: 'test',
            last4: 'wxyz',
            scopes: [],
            now: T0,
          }),
        );
        expect(await keys.findActiveKey(db(), `hash${id}`)).toMatchObject({
          id,
          workspace_id: ws,
          scopes: 'links:read links:write',
          creatorRole: 'owner',
          last_used_at: null,
        });
        await keys.touchKey(db(), ws, id, T0 + 7);
        expect((await keys.findActiveKey(db(), `hash${id}`))?.last_used_at).toBe(T0 + 7);
        await keys.touchKey(db(), otherWs, id, T0 + 9);
        expect((await keys.listKeys(db(), ws))[0]).toMatchObject({
          id,
          last4: 'wxyz',
          last_used_at: T0 + 7,
        });
        expect(await keys.listKeys(db(), otherWs)).toEqual([]);

        expect(await keys.revokeKey(db(), otherWs, id, T0 + 10)).toBe(false);
        expect(await keys.revokeKey(db(), ws, id, T0 + 10)).toBe(true);
        expect(await keys.revokeKey(db(), ws, id, T0 + 11)).toBe(false);
        expect(await keys.findActiveKey(db(), `hash${id}`)).toBeUndefined();
        expect(await keys.listKeys(db(), ws)).toEqual([]);
      });

      it('loses the creator’s role when they leave, and revokes a member’s keys in one workspace only', async () => {
        const owner = await user();
        const member = await user();
        const ws = await workspace(owner);
        const elsewhere = await workspace(member);
        await workspaces.insertMembership(db(), {
          workspaceId: ws,
          userId: member,
          role: 'admin',
          now: T0,
        });
        const mk = async (workspaceId: string) => {
          const id = newId('key', T0);
          await keys.insertApiKey(db(), {
            id,
            workspaceId,
            createdBy: member,
            name: 'k',
            keyHash: `h${id}`,
            mode: 'live',
            last4: '0000',
            scopes: [],
            now: T0,
          });
          return id;
        };
        const here = await mk(ws);
        const there = await mk(elsewhere);
        await workspaces.deleteMembership(db(), ws, member);
        expect((await keys.findActiveKey(db(), `h${here}`))?.creatorRole).toBeNull();
        await keys.revokeKeysOfMember(db(), ws, member, T0 + 1);
        expect(await keys.findActiveKey(db(), `h${here}`)).toBeUndefined();
        expect(await keys.findActiveKey(db(), `h${there}`)).toBeDefined();
      });
    });

    describe('audit log', () => {
      it('appends records with the client network only, and lists one workspace newest first', async () => {
        const owner = await user();
        const ws = await workspace(owner);
        const other = await workspace(owner);
        for (let i = 0; i < 5; i++) {
          await recordAudit(
            db(),
            {
              workspaceId: ws,
              actorUserId: owner,
              action: `test.${i}`,
              ip: '203.0.113.77',
              details: { i },
            },
            T0 + i,
          );
        }
        await recordAudit(
          db(),
          { workspaceId: other, actorUserId: owner, action: 'elsewhere', ip: '2001:db8:1:2::9' },
          T0,
        );
        const first = await listAudit(db(), ws, 3, null);
        expect(first.map((r) => r.action)).toEqual(['test.4', 'test.3', 'test.2', 'test.1']);
        expect(first[0]).toMatchObject({
          ip_network: '203.0.113.0/24',
          details: '{"i":4}',
          created_at: T0 + 4,
        });
        const rest = await listAudit(db(), ws, 3, first[2]?.id ?? null);
        expect(rest.map((r) => r.action)).toEqual(['test.1', 'test.0']);
        const foreign = await listAudit(db(), other, 10, null);
        expect(foreign.map((r) => [r.action, r.ip_network])).toEqual([
          ['elsewhere', '2001:db8:1::/48'],
        ]);
      });
    });

    describe('idempotency keys', () => {
      it('enforces one row per (principal, key) and prunes rows older than 24 h', async () => {
        const row = (principal: string, key: string, createdAt: number) =>
          db()
            .insertInto('idempotency_keys')
            .values({
              principal_id: principal,
              key,
              request_hash: 'r',
              status_code: 0,
              response_body: '',
              created_at: createdAt,
            })
            .execute();
        await row('p1', 'k1', T0);
        await row('p2', 'k1', T0);
        await expectUniqueViolation(row('p1', 'k1', T0));
        await row('p1', 'old', T0 - IDEMPOTENCY_TTL_MS - 1);
        await pruneIdempotencyKeys(db(), T0);
        const left = await db()
          .selectFrom('idempotency_keys')
          .select(['principal_id', 'key'])
          .orderBy('principal_id')
          .orderBy('key')
          .execute();
        expect(left).toEqual([
          { principal_id: 'p1', key: 'k1' },
          { principal_id: 'p2', key: 'k1' },
        ]);
      });
    });

    it('rolls back a failed transaction entirely', async () => {
      const before = await accounts.countUsers(db());
      await expect(
        db()
          .transaction()
          .execute(async (tx) => {
            await accounts.insertUser(tx, {
              id: newId('usr', T0),
              email: 'rollback@example.test',
              name: 'n',
              passwordHash: 'h',
              now: T0,
            });
            throw new Error('boom');
          }),
      ).rejects.toThrow('boom');
      expect(await accounts.countUsers(db())).toBe(before);
    });
  });
}
