import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { generateApiKey } from '../../src/accounts/api-key-format.js';
import { openDatabase, sqliteFileFor } from '../../src/db/index.js';
import { caller, startTestApp, type TestApp } from '../helpers/app.js';
import { addMember, makeTenant, type Tenant } from '../helpers/fixtures.js';

/** API keys: format, storage, display, last use, revocation (ACC-07/08). */

let queries = 0;
/**
 * Counts the statements that read API keys (background work — the change feed, the analytics
 * writer — queries other tables all the time).
 */
const countQueries: KyselyPlugin = {
  transformQuery: (args) => {
    if (JSON.stringify(args.node).includes('"name":"api_keys"')) queries++;
    return args.node;
  },
  transformResult: async (args) => args.result,
};

const clock = new ManualClock();
let t: TestApp;
let tenant: Tenant;
const dataDir = mkdtempSync(path.join(tmpdir(), 'qrlink-keys-'));

beforeAll(async () => {
  const database = openDatabase({ postgresUrl: null, sqliteFile: sqliteFileFor(dataDir) });
  t = await startTestApp({
    env: { QRLINK_SIGNUP: 'open' },
    overrides: { clock, database: { ...database, db: database.db.withPlugin(countQueries) } },
  });
  tenant = await makeTenant(t, 'keys');
});
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const TOUCH_INTERVAL_MS = 60_000;

describe('API keys (ACC-07)', () => {
  it('are prefixed, 32 base62 + 6 checksum characters, shown in full only once, stored as HMAC', async () => {
    const created = await tenant.owner.session.request('POST', '/api/v1/api-keys', {
      name: 'ci',
      scopes: ['links:read', 'links:write'],
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^qrl_live_[0-9A-Za-z]{32}[0-9A-Za-z]{6}$/);
    expect(created.body.last4).toBe(key.slice(-4));
    expect(created.body.scopes).toEqual(['links:read', 'links:write']);

    const test = await tenant.owner.session.request('POST', '/api/v1/api-keys', {
      name: 'sandbox',
      scopes: ['links:read'],
      mode: 'test',
    });
    expect(test.body.key).toMatch(/^qrl_test_[0-9A-Za-z]{38}$/);

    const list = await tenant.owner.session.request('GET', '/api/v1/api-keys');
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({ last4: key.slice(-4), name: 'ci' });
    expect(listed).not.toHaveProperty('key');
    expect(JSON.stringify(list.body)).not.toContain(key);

    const row = await t.app.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(createHmac('sha256', t.app.ctx.secret).update(key).digest('hex'));
    for (const value of Object.values(row)) expect(String(value)).not.toContain(key.slice(9));
  });

  it('refuses a key with a wrong checksum (401) without touching the database', async () => {
    const key = generateApiKey('live');
    const last = key.at(-1) === 'a' ? 'b' : 'a';
    const forged = key.slice(0, -1) + last;
    const before = queries;
    const res = await caller(t.url, { key: forged }).request('GET', '/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthenticated');
    expect(queries - before).toBe(0);
    // A well-formed but unknown key does need a lookup, and is refused alike.
    const unknown = await caller(t.url, { key }).request('GET', '/api/v1/me');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(res.body);
    expect(queries - before).toBeGreaterThan(0);
  });

  it('refuses malformed Authorization headers with 401 problem+json', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'qrl_live_x']) {
      const res = await caller(t.url).request('GET', '/api/v1/me', undefined, {
        authorization: header,
      });
      expect(res.status, header).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('records the last use, at most once a minute', async () => {
    const created = await tenant.owner.session.request('POST', '/api/v1/api-keys', {
      name: 'usage',
      scopes: ['links:read'],
    });
    const key = caller(t.url, { key: created.body.key });
    const lastUsed = async () =>
      (await tenant.owner.session.request('GET', '/api/v1/api-keys')).body.items.find(
        (k: { id: string }) => k.id === created.body.id,
      ).lastUsedAt as string | null;
    expect(await lastUsed()).toBeNull();
    const first = clock.now();
    expect((await key.request('GET', '/api/v1/me')).status).toBe(200);
    expect(await lastUsed()).toBe(new Date(first).toISOString());
    clock.advance(TOUCH_INTERVAL_MS / 2);
    await key.request('GET', '/api/v1/me');
    expect(await lastUsed()).toBe(new Date(first).toISOString());
    clock.advance(TOUCH_INTERVAL_MS);
    await key.request('GET', '/api/v1/me');
    expect(await lastUsed()).toBe(new Date(clock.now()).toISOString());
  });

  it('answers /me with the key’s own workspace and scopes', async () => {
    const res = await tenant.ownerKey.api.request('GET', '/api/v1/me');
    expect(res.body).toMatchObject({
      user: { id: tenant.owner.userId },
      workspace: { id: tenant.workspaceId, role: 'owner' },
      auth: 'apiKey',
    });
    expect(res.body.scopes).toContain('workspace:admin');
  });

  it('revocation takes effect on the next request (≤ 10 s), and the key disappears from the list', async () => {
    const created = await tenant.owner.session.request('POST', '/api/v1/api-keys', {
      name: 'short-lived',
      scopes: ['links:read'],
    });
    const key = caller(t.url, { key: created.body.key });
    expect((await key.request('GET', '/api/v1/me')).status).toBe(200);
    const started = Date.now();
    expect(
      (await tenant.owner.session.request('DELETE', `/api/v1/api-keys/${created.body.id}`)).status,
    ).toBe(204);
    expect((await key.request('GET', '/api/v1/me')).status).toBe(401);
    expect(Date.now() - started).toBeLessThan(10_000);
    const list = await tenant.owner.session.request('GET', '/api/v1/api-keys');
    expect(list.body.items.map((k: { id: string }) => k.id)).not.toContain(created.body.id);
    // Revoking twice, or an unknown id, is a 404.
    expect(
      (await tenant.owner.session.request('DELETE', `/api/v1/api-keys/${created.body.id}`)).status,
    ).toBe(404);
  });

  it('stops working when its creator leaves the workspace', async () => {
    const admin = await addMember(t, tenant.workspaceId, 'admin');
    const created = await admin.session.request(
      'POST',
      '/api/v1/api-keys',
      { name: 'admin key', scopes: ['links:read'] },
      { 'qrlink-workspace': tenant.workspaceId },
    );
    expect(created.status).toBe(201);
    const key = caller(t.url, { key: created.body.key });
    expect((await key.request('GET', '/api/v1/me')).status).toBe(200);
    expect(
      (
        await tenant.owner.session.request(
          'DELETE',
          `/api/v1/workspaces/${tenant.workspaceId}/members/${admin.userId}`,
        )
      ).status,
    ).toBe(204);
    expect((await key.request('GET', '/api/v1/me')).status).toBe(401);
  });

  it('records key creation and revocation in the audit log, once each', async () => {
    const created = await tenant.owner.session.request('POST', '/api/v1/api-keys', {
      name: 'audited',
      scopes: ['links:read'],
    });
    await tenant.owner.session.request('DELETE', `/api/v1/api-keys/${created.body.id}`);
    const log = await tenant.owner.session.request('GET', '/api/v1/audit-log?limit=100');
    const about = log.body.items.filter(
      (e: { targetId: string }) => e.targetId === created.body.id,
    );
    expect(about.map((e: { action: string }) => e.action).sort()).toEqual([
      'api_key.create',
      'api_key.revoke',
    ]);
    for (const entry of about) {
      expect(entry.actorUserId).toBe(tenant.owner.userId);
      expect(JSON.stringify(entry)).not.toContain(created.body.key);
    }
  });
});
