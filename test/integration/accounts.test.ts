import { request as httpRequest } from 'node:http';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { hashToken } from '../../src/accounts/tokens.js';
import { RESET_MAILS_PER_HOUR, SESSION_TTL_MS } from '../../src/accounts/service.js';
import { ACCOUNT_POLICY } from '../../src/accounts/throttle.js';
import { caller, startTestApp, type TestApp } from '../helpers/app.js';
import { startServe } from '../helpers/serve.js';
import { makeUser } from '../helpers/fixtures.js';
import {
  linksIn,
  recipients,
  startMailCatcher,
  tokenIn,
  type MailCatcher,
} from '../helpers/smtp.js';

/** Accounts over HTTP: sign-up, passwords, login throttling, sessions, reset and invitations by e-mail. */

const BASE_URL = 'https://qr.example.test';
const PASSWORD = 'correct horse battery';
const NO_LIMITS = {
  api: { limit: 1_000_000, windowMs: 60_000 },
  auth: { limit: 1_000_000, windowMs: 60_000 },
};

let ipCounter = 0;
/** A distinct client address per call site (the app trusts 127.0.0.1 as a proxy). */
const freshIp = () => `203.0.113.${++ipCounter}`;

interface Res {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
}

function post(t: TestApp, path: string, body: unknown, headers: Record<string, string> = {}) {
  return caller(t.url).request('POST', path, body, headers) as Promise<Res>;
}

function sessionCookie(res: Res): string {
  const line = res.headers.getSetCookie().find((c) => c.includes('qrlink_session='));
  if (!line) throw new Error(`no session cookie in ${res.status} ${JSON.stringify(res.body)}`);
  return line.split(';')[0] as string;
}

function cookieValue(cookie: string): string {
  return cookie.slice(cookie.indexOf('=') + 1);
}

async function signup(
  t: TestApp,
  body: Record<string, unknown>,
  ip = freshIp(),
): Promise<Res & { cookie: string }> {
  const res = await post(t, '/api/v1/auth/signup', body, { 'x-forwarded-for': ip });
  return { ...res, cookie: res.status === 201 ? sessionCookie(res) : '' };
}

function login(t: TestApp, email: string, password: string, ip = freshIp()) {
  return post(t, '/api/v1/auth/login', { email, password }, { 'x-forwarded-for': ip });
}

async function me(t: TestApp, cookie: string) {
  return caller(t.url, { cookie }).request('GET', '/api/v1/me') as Promise<Res>;
}

function startApp(env: Record<string, string> = {}, clock?: ManualClock) {
  return startTestApp({
    env: { QRLINK_TRUSTED_PROXIES: '127.0.0.1', ...env },
    overrides: { rateLimits: NO_LIMITS, ...(clock ? { clock } : {}) },
  });
}

describe('sign-up modes', () => {
  it('invite (default): the first user may sign up, later ones need an invitation', async () => {
    const mail = await startMailCatcher();
    const t = await startApp({ QRLINK_SMTP_URL: mail.url });
    try {
      const first = await signup(t, { email: 'first@example.test', password: PASSWORD });
      expect(first.status).toBe(201);
      expect(first.body.workspace.role).toBe('owner');
      const second = await signup(t, { email: 'second@example.test', password: PASSWORD });
      expect(second.status).toBe(403);
      expect(second.body.code).toBe('signup_closed');

      const owner = caller(t.url, { cookie: first.cookie });
      const invited = await owner.request(
        'POST',
        `/api/v1/workspaces/${first.body.workspace.id}/invitations`,
        { email: 'Second@Example.test', role: 'member' },
      );
      expect(invited.status).toBe(201);
      const token = tokenIn(
        await mail.waitFor((m) => recipients(m).includes('second@example.test')),
      );
      // Someone else holding the token cannot use it, and does not burn it.
      const thief = await signup(t, {
        email: 'thief@example.test',
        password: PASSWORD,
        invitationToken: token,
      });
      expect(thief.status).toBe(403);
      const joined = await signup(t, {
        email: 'second@example.test',
        password: PASSWORD,
        invitationToken: token,
      });
      expect(joined.status).toBe(201);
      expect(joined.body.workspace).toMatchObject({
        id: first.body.workspace.id,
        role: 'member',
      });
      // Single use.
      const again = await signup(t, {
        email: 'third@example.test',
        password: PASSWORD,
        invitationToken: token,
      });
      expect(again.status).toBe(403);
    } finally {
      await t.close();
      await mail.close();
    }
  });

  it('an invitation survives a sign-up that fails for another reason', async () => {
    const mail = await startMailCatcher();
    const t = await startApp({ QRLINK_SMTP_URL: mail.url });
    try {
      const first = await signup(t, { email: 'boss@example.test', password: PASSWORD });
      await caller(t.url, { cookie: first.cookie }).request(
        'POST',
        `/api/v1/workspaces/${first.body.workspace.id}/invitations`,
        { email: 'boss@example.test', role: 'admin' },
      );
      const token = tokenIn(await mail.waitFor(() => true));
      // Already registered: 409, and the invitation must still be pending afterwards.
      const dup = await signup(t, {
        email: 'boss@example.test',
        password: PASSWORD,
        invitationToken: token,
      });
      expect(dup.status).toBe(409);
      const row = await t.app.ctx.db
        .selectFrom('invitations')
        .select('accepted_at')
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirstOrThrow();
      expect(row.accepted_at).toBeNull();
    } finally {
      await t.close();
      await mail.close();
    }
  });

  it('open: anyone may sign up', async () => {
    const t = await startApp({ QRLINK_SIGNUP: 'open' });
    try {
      for (const email of ['a@example.test', 'b@example.test', 'c@example.test']) {
        expect((await signup(t, { email, password: PASSWORD })).status).toBe(201);
      }
    } finally {
      await t.close();
    }
  });

  it('closed: only the first user; nobody else, invitation or not', async () => {
    const mail = await startMailCatcher();
    const t = await startApp({ QRLINK_SIGNUP: 'closed', QRLINK_SMTP_URL: mail.url });
    try {
      const first = await signup(t, { email: 'admin@example.test', password: PASSWORD });
      expect(first.status).toBe(201);
      const invited = await caller(t.url, { cookie: first.cookie }).request(
        'POST',
        `/api/v1/workspaces/${first.body.workspace.id}/invitations`,
        { email: 'late@example.test', role: 'viewer' },
      );
      expect(invited.status).toBe(201);
      const later = await signup(t, { email: 'late@example.test', password: PASSWORD });
      expect(later.status).toBe(403);
      expect(later.body.code).toBe('signup_closed');
      const token = tokenIn(await mail.waitFor((m) => recipients(m).includes('late@example.test')));
      const withToken = await signup(t, {
        email: 'late@example.test',
        password: PASSWORD,
        invitationToken: token,
      });
      expect(withToken.status).toBe(403);
      expect(withToken.body.code).toBe('signup_closed');
    } finally {
      await t.close();
      await mail.close();
    }
  });
});

describe('e-mail and password policy (ACC-01/02)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ QRLINK_SIGNUP: 'open' });
  });
  afterAll(() => t.close());

  it('normalises e-mail addresses (case) for sign-up, login and uniqueness', async () => {
    const res = await signup(t, { email: 'Alice.Mixed@Example.COM', password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.user.email).toBe('alice.mixed@example.com');
    expect((await login(t, 'ALICE.MIXED@example.com', PASSWORD)).status).toBe(200);
    const dup = await signup(t, { email: 'alice.mixed@EXAMPLE.com', password: PASSWORD });
    expect(dup.status).toBe(409);
  });

  it('accepts 8 to 128 characters (code points), refuses 7 and 129, naming the field', async () => {
    const short = await signup(t, { email: 'short@example.test', password: 'seven77' });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([expect.objectContaining({ field: '/password' })]);
    expect((await signup(t, { email: 'eight@example.test', password: '8chars!!' })).status).toBe(
      201,
    );
    // 128 four-byte characters: 256 UTF-16 units, 512 bytes; still 128 characters.
    const long = '😀'.repeat(127) + 'é';
    expect([...long].length).toBe(128);
    expect((await signup(t, { email: 'long@example.test', password: long })).status).toBe(201);
    expect((await login(t, 'long@example.test', long)).status).toBe(200);
    const tooLong = await signup(t, { email: 'toolong@example.test', password: long + 'x' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].field).toBe('/password');
  });

  it('never truncates: a password differing only at character 100 does not log in', async () => {
    const password = 'p'.repeat(99) + 'A' + 'q'.repeat(20);
    const other = 'p'.repeat(99) + 'B' + 'q'.repeat(20);
    expect((await signup(t, { email: 'trunc@example.test', password })).status).toBe(201);
    expect((await login(t, 'trunc@example.test', other)).status).toBe(401);
    expect((await login(t, 'trunc@example.test', password)).status).toBe(200);
  });

  it('stores argon2id with m ≥ 19456 KiB, t ≥ 2, p = 1, and a 16-byte salt', async () => {
    await signup(t, { email: 'hash@example.test', password: PASSWORD });
    const row = await t.app.ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'hash@example.test')
      .executeTakeFirstOrThrow();
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$/.exec(
      row.password_hash,
    );
    expect(match, row.password_hash).not.toBeNull();
    const [, m, tCost, p, salt] = match as RegExpExecArray;
    expect(Number(m)).toBeGreaterThanOrEqual(19_456);
    expect(Number(tCost)).toBeGreaterThanOrEqual(2);
    expect(Number(p)).toBe(1);
    expect(Buffer.from(salt as string, 'base64').length).toBeGreaterThanOrEqual(16);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('upgrades a hash below today’s parameters at the next successful login', async () => {
    await signup(t, { email: 'legacy@example.test', password: PASSWORD });
    const weak = await hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 1 });
    await t.app.ctx.db
      .updateTable('users')
      .set({ password_hash: weak })
      .where('email', '=', 'legacy@example.test')
      .execute();
    expect((await login(t, 'legacy@example.test', PASSWORD)).status).toBe(200);
    const row = await t.app.ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'legacy@example.test')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(t, 'legacy@example.test', PASSWORD)).status).toBe(200);
  });
});

describe('login throttling with progressive delay (ACC-03)', () => {
  let t: TestApp;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await startApp({ QRLINK_SIGNUP: 'open' }, clock);
  });
  afterAll(() => t.close());

  it('per account, from any IP: 429 with an integer Retry-After that doubles; the owner gets in after waiting', async () => {
    await signup(t, { email: 'victim@example.test', password: PASSWORD });
    for (let i = 0; i < ACCOUNT_POLICY.free; i++) {
      expect((await login(t, 'victim@example.test', 'wrong password')).status).toBe(401);
    }
    // Every further attempt, from a new IP and even with the right password, must wait.
    const throttled = await login(t, 'victim@example.test', PASSWORD);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retry = throttled.headers.get('retry-after') ?? '';
    expect(retry).toMatch(/^\d+$/);
    expect(Number(retry)).toBeGreaterThanOrEqual(1);

    clock.advance(Number(retry) * 1000);
    expect((await login(t, 'victim@example.test', 'wrong again')).status).toBe(401);
    const longer = await login(t, 'victim@example.test', PASSWORD);
    expect(longer.status).toBe(429);
    expect(Number(longer.headers.get('retry-after'))).toBeGreaterThan(Number(retry));

    clock.advance(Number(longer.headers.get('retry-after')) * 1000);
    expect((await login(t, 'victim@example.test', PASSWORD)).status).toBe(200);
    // Success clears the account's record.
    expect((await login(t, 'victim@example.test', 'wrong')).status).toBe(401);
  });

  it('per IP, across accounts', async () => {
    const ip = freshIp();
    let status = 401;
    let attempts = 0;
    while (status === 401 && attempts < 50) {
      status = (await login(t, `nobody${attempts++}@example.test`, 'guess', ip)).status;
    }
    expect(status).toBe(429);
    expect(attempts).toBeGreaterThan(ACCOUNT_POLICY.free);
    // Another address is not affected.
    await signup(t, { email: 'bystander@example.test', password: PASSWORD });
    expect((await login(t, 'bystander@example.test', PASSWORD)).status).toBe(200);
    clock.advance(15 * 60_000 + 1);
  });

  it('counts concurrent attempts: a parallel burst cannot get more guesses than the free ones', async () => {
    await signup(t, { email: 'burst@example.test', password: PASSWORD });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => login(t, 'burst@example.test', 'parallel guess')),
    );
    const guesses = results.filter((r) => r.status === 401).length;
    expect(guesses).toBeLessThanOrEqual(ACCOUNT_POLICY.free);
    expect(results.filter((r) => r.status === 429).length).toBe(20 - guesses);
    clock.advance(15 * 60_000 + 1);
  });
});

describe('login throttling across processes (ACC-03)', () => {
  it('a second process on the same database refuses the account the first one throttled', async () => {
    const secret = 'test-secret-test-secret-test-secret-0000';
    const t = await startApp({ QRLINK_SIGNUP: 'open', QRLINK_SECRET: secret });
    const other = await startServe({
      QRLINK_DATA_DIR: t.dataDir,
      QRLINK_SECRET: secret,
      QRLINK_TRUSTED_PROXIES: '127.0.0.1',
    });
    try {
      const email = 'shared-throttle@example.test';
      await signup(t, { email, password: PASSWORD });
      for (let i = 0; i < ACCOUNT_POLICY.free; i++) {
        expect((await login(t, email, 'wrong password')).status).toBe(401);
      }
      const elsewhere = await caller(other.url).request(
        'POST',
        '/api/v1/auth/login',
        { email, password: PASSWORD },
        { 'x-forwarded-for': freshIp() },
      );
      expect(elsewhere.status).toBe(429);
      expect(Number(elsewhere.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await other.stop();
      await t.close();
    }
  });
});

describe('unknown user vs wrong password (ACC-04)', () => {
  it('gives the same status, body and headers, and records both as failed logins', async () => {
    const t = await startApp({ QRLINK_SIGNUP: 'open' }, new ManualClock());
    try {
      await signup(t, { email: 'known@example.test', password: PASSWORD });
      const wrong = await login(t, 'known@example.test', 'not the password', '198.51.100.1');
      const unknown = await login(t, 'unknown@example.test', 'not the password', '198.51.100.2');
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(unknown.status);
      expect(wrong.body).toEqual(unknown.body);
      const headers = (r: Res) =>
        [...r.headers.entries()].filter(([name]) => name !== 'date' && name !== 'x-request-id');
      expect(headers(wrong)).toEqual(headers(unknown));
      const failed = await t.app.ctx.db
        .selectFrom('audit_log')
        .select('actor_user_id')
        .where('action', '=', 'user.login_failed')
        .execute();
      expect(failed).toHaveLength(2);
    } finally {
      await t.close();
    }
  });
});

describe('sessions (ACC-05)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ QRLINK_SIGNUP: 'open' });
  });
  afterAll(() => t.close());

  it('sets a __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, 256-bit token', async () => {
    const res = await signup(t, { email: 'cookie@example.test', password: PASSWORD });
    const line = res.headers.getSetCookie().find((c) => c.startsWith('__Host-qrlink_session='));
    expect(line).toBeDefined();
    const attributes = (line as string)
      .split(';')
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('secure');
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    expect(attributes.some((a) => a.startsWith('domain'))).toBe(false);
    const token = cookieValue(res.cookie);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('stores only a hash of the token', async () => {
    const res = await signup(t, { email: 'hashed@example.test', password: PASSWORD });
    const token = cookieValue(res.cookie);
    const rows = await t.app.ctx.db.selectFrom('sessions').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const value of Object.values(row)) expect(String(value)).not.toContain(token);
    }
    expect(rows.some((r) => r.token_hash === hashToken(token))).toBe(true);
  });

  it('issues a new token on every login; logout revokes that session only', async () => {
    const email = 'rotate@example.test';
    await signup(t, { email, password: PASSWORD });
    const a = sessionCookie(await login(t, email, PASSWORD));
    const b = sessionCookie(await login(t, email, PASSWORD));
    expect(a).not.toBe(b);
    expect((await me(t, a)).status).toBe(200);
    const out = await caller(t.url, { cookie: a }).request('POST', '/api/v1/auth/logout');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/__Host-qrlink_session=;/);
    expect((await me(t, a)).status).toBe(401);
    expect((await me(t, b)).status).toBe(200);
  });

  it('revokes every session of a member removed from a workspace', async () => {
    const owner = await signup(t, { email: 'remover@example.test', password: PASSWORD });
    const member = await signup(t, { email: 'removed@example.test', password: PASSWORD });
    const ws = owner.body.workspace.id as string;
    await t.app.ctx.db
      .insertInto('memberships')
      .values({ workspace_id: ws, user_id: member.body.user.id, role: 'member', created_at: 1 })
      .execute();
    expect((await me(t, member.cookie)).status).toBe(200);
    const removed = await caller(t.url, { cookie: owner.cookie }).request(
      'DELETE',
      `/api/v1/workspaces/${ws}/members/${member.body.user.id}`,
    );
    expect(removed.status).toBe(204);
    expect((await me(t, member.cookie)).status).toBe(401);
  });

  it('marks the cookie Secure for https and localhost only; plain http gets no __Host- prefix', async () => {
    for (const [base, name, secure] of [
      ['https://links.example.test', '__Host-qrlink_session', true],
      ['http://localhost:8080', '__Host-qrlink_session', true],
      ['http://links.example.test', 'qrlink_session', false],
    ] as const) {
      const app = await startApp({ QRLINK_SIGNUP: 'open', QRLINK_BASE_URL: base });
      try {
        const res = await signup(app, { email: 'x@example.test', password: PASSWORD });
        const line = res.headers.getSetCookie()[0] ?? '';
        expect(line.startsWith(`${name}=`), base).toBe(true);
        expect(/;\s*secure/i.test(line), base).toBe(secure);
      } finally {
        await app.close();
      }
    }
  });
});

describe('expired sessions and reset tokens', () => {
  const clock = new ManualClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ QRLINK_SIGNUP: 'open' }, clock);
  });
  afterAll(() => t.close());

  it('are deleted by the hourly credentials-prune job; live ones stay', async () => {
    const email = 'expiring@example.test';
    const old = await signup(t, { email, password: PASSWORD });
    const user = old.body.user.id as string;
    await t.app.ctx.db
      .insertInto('password_resets')
      .values({
        token_hash: hashToken('spent-reset'),
        user_id: user,
        created_at: clock.now(),
        expires_at: clock.now() + 3600_000,
        used_at: null,
      })
      .execute();
    clock.advance(SESSION_TTL_MS + 1);
    const fresh = sessionCookie(await login(t, email, PASSWORD));

    await t.app.jobs.run('credentials-prune');

    const sessions = await t.app.ctx.db
      .selectFrom('sessions')
      .select('expires_at')
      .where('user_id', '=', user)
      .execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.expires_at).toBeGreaterThan(clock.now());
    const resets = await t.app.ctx.db
      .selectFrom('password_resets')
      .select('token_hash')
      .where('user_id', '=', user)
      .execute();
    expect(resets).toEqual([]);
    expect((await me(t, old.cookie)).status).toBe(401);
    expect((await me(t, fresh)).status).toBe(200);
  });
});

/** A request whose Host and forwarding headers claim another site (RED-10). */
function poisonedPost(t: TestApp, path: string, body: unknown): Promise<number> {
  const url = new URL(path, t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          host: 'evil.example',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'http',
          forwarded: 'host=evil.example;proto=http',
          'content-type': 'application/json',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('password reset and invitations over SMTP', () => {
  let t: TestApp;
  let mail: MailCatcher;
  const clock = new ManualClock();
  let owner: Res & { cookie: string };
  beforeAll(async () => {
    mail = await startMailCatcher();
    t = await startApp({ QRLINK_SMTP_URL: mail.url, QRLINK_BASE_URL: BASE_URL }, clock);
    owner = await signup(t, { email: 'owner@example.test', password: PASSWORD });
  });
  afterAll(async () => {
    await t.close();
    await mail.close();
  });

  async function requestReset(email: string) {
    const before = mail.messages.length;
    expect(await poisonedPost(t, '/api/v1/auth/password-reset', { email })).toBe(202);
    return mail.waitFor((m) => mail.messages.indexOf(m) >= before && recipients(m).includes(email));
  }

  it('e-mails a single-use token (≥ 128 bits) with links on the configured base URL only', async () => {
    const message = await requestReset('owner@example.test');
    expect(message.subject).toMatch(/reset/i);
    const token = tokenIn(message);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const links = linksIn(message);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.origin).toBe(BASE_URL);
    expect(message.text).not.toContain('evil.example');

    const session = owner.cookie;
    expect((await me(t, session)).status).toBe(200);
    const newPassword = 'a brand new passphrase';
    const confirm = () =>
      post(t, '/api/v1/auth/password-reset/confirm', { token, password: newPassword });
    expect((await confirm()).status).toBe(204);
    // Every session ended; the old password is gone; the new one works.
    expect((await me(t, session)).status).toBe(401);
    expect((await login(t, 'owner@example.test', PASSWORD)).status).toBe(401);
    const fresh = await login(t, 'owner@example.test', newPassword);
    expect(fresh.status).toBe(200);
    owner = { ...fresh, cookie: sessionCookie(fresh) };
    // Single use.
    const second = await confirm();
    expect(second.status).toBe(403);
    expect(second.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('expires after one hour', async () => {
    const token = tokenIn(await requestReset('owner@example.test'));
    clock.advance(3600_000 + 1);
    const res = await post(t, '/api/v1/auth/password-reset/confirm', {
      token,
      password: 'another passphrase',
    });
    expect(res.status).toBe(403);
  });

  it('a used token also retires the other outstanding tokens of that account', async () => {
    const first = tokenIn(await requestReset('owner@example.test'));
    const second = tokenIn(await requestReset('owner@example.test'));
    const password = 'yet another passphrase';
    expect(
      (await post(t, '/api/v1/auth/password-reset/confirm', { token: second, password })).status,
    ).toBe(204);
    expect(
      (await post(t, '/api/v1/auth/password-reset/confirm', { token: first, password })).status,
    ).toBe(403);
    const fresh = await login(t, 'owner@example.test', password);
    owner = { ...fresh, cookie: sessionCookie(fresh) };
  });

  it('sends one account at most RESET_MAILS_PER_HOUR reset e-mails an hour, answering 202 alike', async () => {
    const { email } = await makeUser(t, 'flooded');
    const count = () => mail.messages.filter((m) => recipients(m).includes(email)).length;
    for (let i = 0; i < RESET_MAILS_PER_HOUR + 3; i++) {
      const res = await post(
        t,
        '/api/v1/auth/password-reset',
        { email },
        {
          'x-forwarded-for': freshIp(),
        },
      );
      expect(res.status).toBe(202);
    }
    await vi.waitFor(() => expect(count()).toBe(RESET_MAILS_PER_HOUR));
    await new Promise((r) => setTimeout(r, 200));
    expect(count()).toBe(RESET_MAILS_PER_HOUR);
    clock.advance(3600_000);
    await post(t, '/api/v1/auth/password-reset', { email });
    await vi.waitFor(() => expect(count()).toBe(RESET_MAILS_PER_HOUR + 1));
  });

  it('answers 202 with one small JSON body, whether or not the account exists (ACC-04)', async () => {
    const { email } = await makeUser(t, 'asks');
    const real = await post(t, '/api/v1/auth/password-reset', { email });
    const ghost = await post(t, '/api/v1/auth/password-reset', { email: 'nobody@example.test' });
    expect(real.status).toBe(202);
    expect(real.headers.get('content-type')).toMatch(/^application\/json/);
    expect(real.body).toEqual({ status: 'accepted' });
    expect(ghost.status).toBe(202);
    expect(ghost.body).toEqual(real.body);
    // Delivered before the next test counts messages.
    await mail.waitFor((m) => recipients(m).includes(email));
  });

  it('answers 202 for unknown addresses and sends nothing', async () => {
    const before = mail.messages.length;
    const res = await post(t, '/api/v1/auth/password-reset', { email: 'ghost@example.test' });
    expect(res.status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    expect(mail.messages.length).toBe(before);
  });

  it('invites by e-mail with a base-URL link; the invitee accepts once with the token', async () => {
    const ws = owner.body.workspace.id as string;
    const invitee = 'invitee@example.test';
    const poisoned = await new Promise<number>((resolve, reject) => {
      const url = new URL(`/api/v1/workspaces/${ws}/invitations`, t.url);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            host: 'evil.example',
            'x-forwarded-host': 'evil.example',
            cookie: owner.cookie,
            'content-type': 'application/json',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ email: invitee, role: 'viewer' }));
    });
    expect(poisoned).toBe(201);
    const message = await mail.waitFor((m) => recipients(m).includes(invitee));
    for (const link of linksIn(message)) expect(link.origin).toBe(BASE_URL);
    const token = tokenIn(message);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);

    const joined = await signup(t, { email: invitee, password: PASSWORD, invitationToken: token });
    expect(joined.status).toBe(201);
    expect(joined.body.workspace).toMatchObject({ id: ws, role: 'viewer' });
    // The token is spent: accepting it again (signed in) fails.
    const again = await caller(t.url, { cookie: joined.cookie }).request(
      'POST',
      '/api/v1/invitations/accept',
      { token },
    );
    expect(again.status).toBe(403);
  });

  it('lets an existing user accept an invitation to their own address only', async () => {
    const ws = owner.body.workspace.id as string;
    const existing = await post(t, '/api/v1/auth/login', {
      email: 'invitee@example.test',
      password: PASSWORD,
    });
    const cookie = sessionCookie(existing);
    const other = await caller(t.url, { cookie: owner.cookie }).request(
      'POST',
      `/api/v1/workspaces/${ws}/invitations`,
      { email: 'someone-else@example.test', role: 'member' },
    );
    expect(other.status).toBe(201);
    const token = tokenIn(
      await mail.waitFor((m) => recipients(m).includes('someone-else@example.test')),
    );
    const res = await caller(t.url, { cookie }).request('POST', '/api/v1/invitations/accept', {
      token,
    });
    expect(res.status).toBe(403);
  });
});

describe('password reset when mail delivery fails', () => {
  it('still answers 202 for a real account, so the answer does not reveal it (ACC-04)', async () => {
    // Nothing listens on port 9 of loopback: delivery fails.
    const t = await startApp({ QRLINK_SIGNUP: 'open', QRLINK_SMTP_URL: 'smtp://127.0.0.1:9' });
    try {
      await signup(t, { email: 'real@example.test', password: PASSWORD });
      const real = await post(t, '/api/v1/auth/password-reset', { email: 'real@example.test' });
      const ghost = await post(t, '/api/v1/auth/password-reset', { email: 'ghost@example.test' });
      expect(real.status).toBe(202);
      expect(ghost.status).toBe(202);
    } finally {
      await t.close();
    }
  });
});
