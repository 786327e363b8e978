import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { caller, startTestApp, type Caller, type TestApp } from '../helpers/app.js';
import { addMember, makeTenant } from '../helpers/fixtures.js';
import { apiRoutes } from '../helpers/routes.js';
import { recipients, startMailCatcher, tokenIn, type MailCatcher } from '../helpers/smtp.js';

/**
 * Audit log (ACC-11): each security event leaves exactly one append-only record with the actor,
 * the target, the client's network (never its address) and the time; the API only reads it.
 */

const CLIENT_IP = '203.0.113.77';
const NETWORK = '203.0.113.0/24';
const PASSWORD = 'correct horse battery';

let t: TestApp;
let mail: MailCatcher;
const clock = new ManualClock();

beforeAll(async () => {
  mail = await startMailCatcher();
  t = await startTestApp({
    env: { QRLINK_SIGNUP: 'open', QRLINK_TRUSTED_PROXIES: '127.0.0.1', QRLINK_SMTP_URL: mail.url },
    overrides: { clock },
  });
});
afterAll(async () => {
  await t.close();
  await mail.close();
});

interface AuditRow {
  action: string;
  workspace_id: string | null;
  actor_user_id: string | null;
  actor_key_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip_network: string | null;
  created_at: number;
}

let seen = 0;
/** The records written since the last call. */
async function newRecords(): Promise<AuditRow[]> {
  const rows = await t.app.ctx.db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const fresh = rows.slice(seen);
  seen = rows.length;
  return fresh;
}

/** Runs an action and checks it wrote exactly one record that looks like `expected`. */
async function expectOneRecord(action: () => Promise<unknown>, expected: Partial<AuditRow>) {
  await newRecords();
  clock.advance(1000);
  await action();
  const rows = await newRecords();
  expect(rows.map((r) => r.action)).toEqual([expected.action]);
  expect(rows[0]).toMatchObject({ ip_network: NETWORK, created_at: clock.now(), ...expected });
  return rows[0] as AuditRow;
}

const from = { 'x-forwarded-for': CLIENT_IP };
const as = (c: Caller) => ({
  request: (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
    c.request(method, p, body, { ...from, ...headers }),
});

function cookieOf(res: { headers: Headers }): string {
  return (res.headers.getSetCookie().find((c) => c.includes('qrlink_session=')) ?? '').split(
    ';',
  )[0] as string;
}

describe('audit log records each security event once (ACC-11)', () => {
  it('for accounts, workspaces, members, invitations and API keys', async () => {
    const anon = as(caller(t.url));
    let signup!: Awaited<ReturnType<Caller['request']>>;
    await expectOneRecord(
      async () =>
        (signup = await anon.request('POST', '/api/v1/auth/signup', {
          email: 'audited@example.test',
          password: PASSWORD,
        })),
      { action: 'user.signup', target_type: 'user' },
    );
    const userId = signup.body.user.id as string;
    const ws = signup.body.workspace.id as string;
    const owner = as(caller(t.url, { cookie: cookieOf(signup) }));

    await expectOneRecord(
      () =>
        anon.request('POST', '/api/v1/auth/login', {
          email: 'audited@example.test',
          password: 'wrong password',
        }),
      { action: 'user.login_failed', actor_user_id: userId },
    );
    await expectOneRecord(
      () =>
        anon.request('POST', '/api/v1/auth/login', {
          email: 'nobody@example.test',
          password: 'wrong password',
        }),
      { action: 'user.login_failed', actor_user_id: null },
    );
    let login!: Awaited<ReturnType<Caller['request']>>;
    await expectOneRecord(
      async () =>
        (login = await anon.request('POST', '/api/v1/auth/login', {
          email: 'audited@example.test',
          password: PASSWORD,
        })),
      { action: 'user.login', actor_user_id: userId },
    );
    await expectOneRecord(
      () => as(caller(t.url, { cookie: cookieOf(login) })).request('POST', '/api/v1/auth/logout'),
      { action: 'user.logout', actor_user_id: userId },
    );

    let key!: Awaited<ReturnType<Caller['request']>>;
    await expectOneRecord(
      async () =>
        (key = await owner.request('POST', '/api/v1/api-keys', {
          name: 'audited',
          scopes: ['workspace:admin'],
        })),
      { action: 'api_key.create', workspace_id: ws, actor_user_id: userId, target_type: 'api_key' },
    );
    const keyApi = as(caller(t.url, { key: key.body.key }));
    const second = await owner.request('POST', '/api/v1/api-keys', {
      name: 'second',
      scopes: ['links:read'],
    });
    await expectOneRecord(() => keyApi.request('DELETE', `/api/v1/api-keys/${second.body.id}`), {
      action: 'api_key.revoke',
      workspace_id: ws,
      actor_user_id: userId,
      actor_key_id: key.body.id,
      target_id: second.body.id,
    });

    let invitation!: Awaited<ReturnType<Caller['request']>>;
    await expectOneRecord(
      async () =>
        (invitation = await owner.request('POST', `/api/v1/workspaces/${ws}/invitations`, {
          email: 'joiner@example.test',
          role: 'member',
        })),
      { action: 'member.invite', workspace_id: ws, target_type: 'invitation' },
    );
    const token = tokenIn(await mail.waitFor((m) => recipients(m).includes('joiner@example.test')));
    let joiner!: Awaited<ReturnType<Caller['request']>>;
    await expectOneRecord(
      async () =>
        (joiner = await anon.request('POST', '/api/v1/auth/signup', {
          email: 'joiner@example.test',
          password: PASSWORD,
          invitationToken: token,
        })),
      { action: 'user.signup', workspace_id: ws },
    );
    expect(invitation.body.id).toBeTruthy();
    const joinerId = joiner.body.user.id as string;

    const other = await owner.request('POST', `/api/v1/workspaces/${ws}/invitations`, {
      email: 'never@example.test',
      role: 'viewer',
    });
    await expectOneRecord(
      () => owner.request('DELETE', `/api/v1/workspaces/${ws}/invitations/${other.body.id}`),
      { action: 'member.invite_withdraw', target_id: other.body.id },
    );

    await expectOneRecord(
      () =>
        owner.request('PATCH', `/api/v1/workspaces/${ws}/members/${joinerId}`, { role: 'admin' }),
      {
        action: 'member.role_change',
        workspace_id: ws,
        actor_user_id: userId,
        target_id: joinerId,
      },
    );
    await expectOneRecord(
      () => owner.request('DELETE', `/api/v1/workspaces/${ws}/members/${joinerId}`),
      { action: 'member.remove', target_id: joinerId },
    );

    let created!: Awaited<ReturnType<Caller['request']>>;
    await expectOneRecord(
      async () => (created = await owner.request('POST', '/api/v1/workspaces', { name: 'Temp' })),
      { action: 'workspace.create', actor_user_id: userId },
    );
    await expectOneRecord(() => owner.request('DELETE', `/api/v1/workspaces/${created.body.id}`), {
      action: 'workspace.delete',
      workspace_id: created.body.id,
      target_id: created.body.id,
    });

    await expectOneRecord(
      async () => {
        await anon.request('POST', '/api/v1/auth/password-reset', {
          email: 'audited@example.test',
        });
      },
      { action: 'user.password_reset_requested', actor_user_id: userId },
    );
    const reset = tokenIn(
      await mail.waitFor(
        (m) => recipients(m).includes('audited@example.test') && /reset/i.test(m.subject ?? ''),
      ),
    );
    await expectOneRecord(
      () =>
        anon.request('POST', '/api/v1/auth/password-reset/confirm', {
          token: reset,
          password: 'a new passphrase',
        }),
      { action: 'user.password_changed', actor_user_id: userId },
    );
  });

  it('is readable through the API by admins, newest first, for their own workspace only', async () => {
    const a = await makeTenant(t, 'audit-a');
    const b = await makeTenant(t, 'audit-b');
    await a.owner.session.request('POST', '/api/v1/api-keys', {
      name: 'x',
      scopes: ['links:read'],
    });
    await b.owner.session.request('POST', '/api/v1/api-keys', {
      name: 'y',
      scopes: ['links:read'],
    });
    const log = await a.owner.session.request('GET', '/api/v1/audit-log');
    expect(log.status).toBe(200);
    expect(log.body.items.length).toBeGreaterThan(0);
    const times = log.body.items.map((e: { createdAt: string }) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    for (const entry of log.body.items) {
      expect(entry.createdAt).toMatch(/Z$/);
      expect(entry.actorUserId).not.toBe(b.owner.userId);
    }
    const member = await addMember(t, a.workspaceId, 'member');
    const refused = await member.session.request('GET', '/api/v1/audit-log', undefined, {
      'qrlink-workspace': a.workspaceId,
    });
    expect(refused.status).toBe(403);
  });

  it('is append-only: no route changes it and no code updates or deletes its rows', () => {
    const auditRoutes = apiRoutes(t).filter((r) => r.url.includes('audit'));
    expect(auditRoutes.map((r) => r.method)).toEqual(['GET']);
    const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    for (const file of files) {
      const text = readFileSync(path.join(src, file), 'utf8');
      expect(text, file).not.toMatch(/(?:updateTable|deleteFrom)\(\s*'audit_log'/);
    }
  });

  it('fails the action when its record cannot be written (fail secure)', async () => {
    const tenant = await makeTenant(t, 'audit-down');
    const before = await t.app.ctx.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await sql`alter table audit_log rename to audit_log_away`.execute(t.app.ctx.db);
    try {
      const res = await tenant.owner.session.request('POST', '/api/v1/api-keys', {
        name: 'unaudited',
        scopes: ['links:read'],
      });
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('internal');
    } finally {
      await sql`alter table audit_log_away rename to audit_log`.execute(t.app.ctx.db);
    }
    const after = await t.app.ctx.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(t.logs.some((line) => line.includes('unhandled error'))).toBe(true);
  });
});
