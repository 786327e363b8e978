import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteFileFor } from '../../src/db/index.js';
import { caller, startTestApp, type TestApp } from '../helpers/app.js';
import { recipients, startMailCatcher, tokenIn, type MailCatcher } from '../helpers/smtp.js';

/**
 * After a realistic session — sign-ups, logins, API keys created (with idempotent retries) and
 * used, an invitation and a password reset by e-mail — the database files and the logs hold none
 * of the secrets that were handed out (ACC-05/07), and no client IP address (PRV-01).
 */

const CLIENT_IP = '198.51.100.23';
const PASSWORD = 'correct horse battery';

let t: TestApp;
let mail: MailCatcher;
const secrets = new Map<string, string>();

function cookieOf(res: { headers: Headers }): string {
  const line = res.headers.getSetCookie().find((c) => c.includes('qrlink_session='));
  if (!line) throw new Error('no session cookie');
  return line.split(';')[0] as string;
}

function remember(kind: string, value: string): void {
  expect(value.length).toBeGreaterThanOrEqual(20);
  secrets.set(value, kind);
}

beforeAll(async () => {
  mail = await startMailCatcher();
  t = await startTestApp({
    env: {
      QRLINK_SIGNUP: 'open',
      QRLINK_SMTP_URL: mail.url,
      QRLINK_TRUSTED_PROXIES: '127.0.0.1',
    },
  });
  const headers = { 'x-forwarded-for': CLIENT_IP };
  const anon = caller(t.url);

  const signup = await anon.request(
    'POST',
    '/api/v1/auth/signup',
    { email: 'alice@example.test', password: PASSWORD },
    headers,
  );
  expect(signup.status).toBe(201);
  const cookie = cookieOf(signup);
  remember('session', cookie.split('=')[1] as string);
  const alice = caller(t.url, { cookie });

  for (const [i, scopes] of [['links:read'], ['workspace:admin'], ['links:write']].entries()) {
    const idempotencyKey = `create-key-${i}`;
    const created = await alice.request(
      'POST',
      '/api/v1/api-keys',
      { name: `k${i}`, scopes },
      {
        ...headers,
        'idempotency-key': idempotencyKey,
      },
    );
    expect(created.status).toBe(201);
    remember('api key', created.body.key);
    // The retry replays the stored response, key included.
    const replay = await alice.request(
      'POST',
      '/api/v1/api-keys',
      { name: `k${i}`, scopes },
      {
        ...headers,
        'idempotency-key': idempotencyKey,
      },
    );
    expect(replay.body.key).toBe(created.body.key);
    const api = caller(t.url, { key: created.body.key });
    expect((await api.request('GET', '/api/v1/me', undefined, headers)).status).toBe(200);
    await api.request('GET', '/api/v1/api-keys', undefined, headers);
  }
  // A key used in a wrong way, and a forged one.
  const [someKey] = [...secrets].find(([, kind]) => kind === 'api key') ?? [''];
  await caller(t.url, { key: someKey.slice(0, -1) + 'x' }).request('GET', '/api/v1/me');
  await caller(t.url).request('GET', '/api/v1/me', undefined, {
    ...headers,
    authorization: `Token ${someKey}`,
  });

  for (let i = 0; i < 2; i++) {
    const login = await anon.request(
      'POST',
      '/api/v1/auth/login',
      { email: 'alice@example.test', password: PASSWORD },
      headers,
    );
    remember('session', cookieOf(login).split('=')[1] as string);
  }
  await anon.request(
    'POST',
    '/api/v1/auth/login',
    { email: 'alice@example.test', password: 'wrong password' },
    headers,
  );

  const workspaceId = signup.body.workspace.id as string;
  const invite = await alice.request(
    'POST',
    `/api/v1/workspaces/${workspaceId}/invitations`,
    { email: 'bob@example.test', role: 'member' },
    headers,
  );
  expect(invite.status).toBe(201);
  const invitation = tokenIn(await mail.waitFor((m) => recipients(m).includes('bob@example.test')));
  remember('invitation token', invitation);
  const bob = await anon.request(
    'POST',
    '/api/v1/auth/signup',
    { email: 'bob@example.test', password: PASSWORD, invitationToken: invitation },
    headers,
  );
  expect(bob.status).toBe(201);
  remember('session', cookieOf(bob).split('=')[1] as string);

  await anon.request(
    'POST',
    '/api/v1/auth/password-reset',
    { email: 'alice@example.test' },
    headers,
  );
  const reset = tokenIn(
    await mail.waitFor(
      (m) => recipients(m).includes('alice@example.test') && /reset/i.test(m.subject ?? ''),
    ),
  );
  remember('reset token', reset);
  const confirmed = await anon.request(
    'POST',
    '/api/v1/auth/password-reset/confirm',
    { token: reset, password: 'an entirely new passphrase' },
    headers,
  );
  expect(confirmed.status).toBe(204);
  // Secrets in the wrong place: a reused token, a cookie after reset.
  await anon.request(
    'POST',
    '/api/v1/auth/password-reset/confirm',
    { token: reset, password: 'an entirely new passphrase' },
    headers,
  );
  await alice.request('GET', '/api/v1/me', undefined, headers);
});
afterAll(async () => {
  await t?.close();
  await mail?.close();
});

function occurrences(haystack: Buffer, label: string): string[] {
  const found: string[] = [];
  for (const [secret, kind] of secrets) {
    if (haystack.includes(Buffer.from(secret, 'utf8'))) found.push(`${kind} found in ${label}`);
  }
  return found;
}

describe('no plaintext secrets at rest or in logs', () => {
  it('issued a realistic set of secrets', () => {
    const kinds = [...secrets.values()];
    for (const kind of ['session', 'api key', 'reset token', 'invitation token']) {
      expect(kinds).toContain(kind);
    }
  });

  it('finds none of them in the SQLite database file or its WAL', () => {
    const file = sqliteFileFor(t.dataDir);
    const found: string[] = [];
    for (const path of [file, `${file}-wal`]) {
      if (existsSync(path)) found.push(...occurrences(readFileSync(path), path));
    }
    expect(readFileSync(file).length).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });

  it('finds none of them in the logs', () => {
    expect(t.logs.length).toBeGreaterThan(10);
    expect(occurrences(Buffer.from(t.logs.join('\n')), 'logs')).toEqual([]);
  });

  it('logs no client IP address (PRV-01)', () => {
    const ipv4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/;
    const leaking = t.logs.filter((line) => ipv4.test(line) || line.includes('::1'));
    expect(leaking).toEqual([]);
    expect(t.logs.join('\n')).not.toContain('127.0.0.1');
    expect(t.logs.join('\n')).not.toContain(CLIENT_IP);
  });
});
