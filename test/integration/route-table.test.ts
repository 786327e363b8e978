import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable, pathParams, type RouteEntry } from '../../src/http/route-table.js';
import {
  PERMISSION_SCOPE,
  ROLES,
  SCOPES,
  roleAllows,
  scopesAllow,
} from '../../src/workspaces/roles.js';
import { caller, startTestApp, type TestApp } from '../helpers/app.js';
import {
  addMember,
  fillPath,
  idFixture,
  makeKey,
  makeTenant,
  makeUser,
  makeWorkspace,
} from '../helpers/fixtures.js';
import {
  UNSAFE_METHODS,
  apiRoutes,
  bodyProperties,
  routeKey,
  rowCounts,
  snapshot,
  validBody,
  wrongTypeFor,
} from '../helpers/routes.js';

/**
 * Suites generated from the route table, so a new route is covered the moment it is registered:
 * CSRF (ACC-06), two-tenant isolation (ACC-09), bad input, role matrix (ACC-10), scope matrix
 * (ACC-08). A route these suites cannot exercise (a new `:param`, a body the generic example
 * does not satisfy) makes them fail with a message saying which fixture to add.
 */

/**
 * Unsafe routes deliberately outside the cross-origin check, with the reason. Only
 * server-to-server endpoints that authenticate by signature belong here.
 */
const CSRF_EXEMPT: Record<string, string> = {
  // 'POST /api/v1/billing/webhook': 'Stripe calls it server to server; verified by signature',
};

const BODY_LIMIT = 4096;

let t: TestApp;
let routes: RouteEntry[];

beforeAll(async () => {
  t = await startTestApp({
    env: { QRLINK_SIGNUP: 'open', QRLINK_BODY_LIMIT: String(BODY_LIMIT) },
    overrides: {
      rateLimits: {
        api: { limit: 1_000_000, windowMs: 60_000 },
        auth: { limit: 1_000_000, windowMs: 60_000 },
      },
    },
  });
  routes = apiRoutes(t);
});
afterAll(() => t?.close());

// The route list is only known once the app runs; vitest needs test names up front, so each
// suite iterates inside its tests and reports every failing route at once.
type Failure = string;

function report(failures: Failure[]): void {
  expect(failures, failures.join('\n')).toEqual([]);
}

/**
 * An allowed call may still end in a business answer (422: the DNS record is not there yet,
 * 409: a conflict); what it must never get is an authorization refusal or a server error.
 */
const refusedOrBroken = (status: number) => [401, 403, 404].includes(status) || status >= 500;

/** POSTs that act on their path alone and take no body. */
const ACTIONS_WITHOUT_BODY = new Set([
  '/api/v1/auth/logout',
  '/api/v1/domains/:domainId/verify',
  '/api/v1/billing/portal',
]);

const workspaceRoutes = () => routes.filter((r) => r.config.auth === 'workspace');
const authenticatedRoutes = () => routes.filter((r) => (r.config.auth ?? 'public') !== 'public');

describe('route table', () => {
  it('is not empty and every API route declares its auth mode and schemas', () => {
    expect(routes.length).toBeGreaterThan(10);
    const failures: Failure[] = [];
    for (const r of routes) {
      if (!r.config.auth) failures.push(`${routeKey(r)}: config.auth is not declared`);
      if (!r.schema?.response) failures.push(`${routeKey(r)}: no response schema`);
      if (UNSAFE_METHODS.has(r.method) && r.method !== 'DELETE' && !r.schema?.body) {
        if (!ACTIONS_WITHOUT_BODY.has(r.url)) failures.push(`${routeKey(r)}: no body schema`);
      }
    }
    report(failures);
  });

  it('declares Idempotency-Key support on every authenticated POST that creates (201)', () => {
    const failures = routes
      .filter((r) => r.method === 'POST' && r.config.auth !== 'public')
      .filter((r) => (r.schema?.response as Record<string, unknown> | undefined)?.[201])
      .filter((r) => !r.config.idempotent)
      .map((r) => `${routeKey(r)}: creates (201) but is not idempotent`);
    report(failures);
  });
});

describe('CSRF: every cookie-authenticated unsafe route refuses cross-site requests (ACC-06)', () => {
  it('only the listed routes are exempt, and each exemption is listed', () => {
    const exempt = routeTable(t.app.api)
      .filter((r) => UNSAFE_METHODS.has(r.method) && r.config.csrfExempt)
      .map(routeKey);
    expect(exempt.sort()).toEqual(Object.keys(CSRF_EXEMPT).sort());
  });

  it('refuses Sec-Fetch-Site: cross-site and a foreign Origin on every unsafe route; same-origin passes', async () => {
    const failures: Failure[] = [];
    const unsafe = routeTable(t.app.api).filter(
      (r) => UNSAFE_METHODS.has(r.method) && !r.config.csrfExempt,
    );
    expect(unsafe.length).toBeGreaterThan(5);
    for (const route of unsafe) {
      // A fresh tenant per route: the same-origin call really runs (it may delete things).
      const tenant = await makeTenant(t, 'csrf');
      const path = await fillPath(t, route.url, tenant);
      const body = validBody(route, tenant);
      const send = (headers: Record<string, string>) =>
        tenant.owner.session.request(route.method, path, body, headers);
      const crossSite: Record<string, string>[] = [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { origin: 'https://evil.example' },
        { origin: 'null' },
      ];
      for (const headers of crossSite) {
        const res = await send(headers);
        if (res.status !== 403 || res.body?.code !== 'csrf_rejected') {
          failures.push(`${routeKey(route)} with ${JSON.stringify(headers)} → ${res.status}`);
        }
      }
      const sameOrigin = await send({ 'sec-fetch-site': 'same-origin', origin: t.url });
      if (sameOrigin.body?.code === 'csrf_rejected') {
        failures.push(`${routeKey(route)}: same-origin request refused as CSRF`);
      }
    }
    report(failures);
  });

  it('does not apply to API-key (Bearer) requests, which browsers never send on their own', async () => {
    const tenant = await makeTenant(t, 'csrf-key');
    const res = await tenant.ownerKey.api.request(
      'POST',
      '/api/v1/api-keys',
      { name: 'k', scopes: ['links:read'] },
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    );
    expect(res.status).toBe(201);
  });
});

describe('two-tenant isolation: B never reaches A’s objects (ACC-09)', () => {
  it('answers 404 on every route with an object id, for B’s key and B’s session, and A is unchanged', async () => {
    const withIds = routes.filter((r) => pathParams(r.url).length > 0);
    expect(withIds.length).toBeGreaterThan(5);
    const a = await makeTenant(t, 'tenant-a');
    const b = await makeTenant(t, 'tenant-b');
    // Prime B's key (last_used_at is written on first use) so the snapshot below is stable.
    await b.ownerKey.api.request('GET', '/api/v1/me');
    const failures: Failure[] = [];
    for (const route of withIds) {
      const aPath = await fillPath(t, route.url, a);
      const variants = [aPath];
      // B's own workspace in the path, A's object ids everywhere else.
      if (route.url.includes(':workspaceId') && pathParams(route.url).length > 1) {
        const mixed = route.url.replace(':workspaceId', b.workspaceId);
        variants.push(await fillPath(t, mixed, a));
      }
      const before = await snapshot(t);
      for (const path of variants) {
        for (const [who, principal] of [
          ['B key', b.ownerKey.api],
          ['B session', b.owner.session],
        ] as const) {
          const res = await principal.request(route.method, path, validBody(route, b));
          if (res.status !== 404) {
            failures.push(`${routeKey(route)} as ${who} on ${path} → ${res.status}`);
          } else if (
            res.headers.get('content-type')?.startsWith('application/problem+json') !== true
          ) {
            failures.push(`${routeKey(route)} as ${who}: 404 is not problem+json`);
          }
        }
      }
      const after = await snapshot(t);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        failures.push(`${routeKey(route)}: the database changed`);
      }
    }
    report(failures);
  });

  it('answers 404 when B names A’s workspace in the Qrlink-Workspace header', async () => {
    const a = await makeTenant(t, 'hdr-a');
    const b = await makeTenant(t, 'hdr-b');
    const failures: Failure[] = [];
    for (const route of authenticatedRoutes().filter((r) => !r.url.includes(':workspaceId'))) {
      for (const [who, principal] of [
        ['B key', b.ownerKey.api],
        ['B session', b.owner.session],
      ] as const) {
        if (who === 'B key' && route.config.sessionOnly) continue;
        const res = await principal.request(
          route.method,
          await fillPath(t, route.url, b),
          validBody(route, b),
          { 'qrlink-workspace': a.workspaceId },
        );
        if (res.status !== 404) failures.push(`${routeKey(route)} as ${who} → ${res.status}`);
      }
    }
    report(failures);
  });
});

describe('bad input on every endpoint with a body → 400/413 problem+json, nothing written', () => {
  it('refuses malformed JSON, wrong types, unknown fields, missing fields and oversized bodies', async () => {
    const withBody = routes.filter((r) => r.schema?.body);
    expect(withBody.length).toBeGreaterThan(5);
    const tenant = await makeTenant(t, 'badinput');
    const failures: Failure[] = [];
    for (const route of withBody) {
      const path = await fillPath(t, route.url, tenant);
      const valid = validBody(route, tenant) as Record<string, unknown>;
      const cases: { name: string; body: unknown; status: number; code: string; field?: string }[] =
        [
          { name: 'malformed JSON', body: '{"name": ', status: 400, code: 'malformed_json' },
          { name: 'not an object', body: '[1,2]', status: 400, code: 'validation_failed' },
          {
            name: 'unknown field',
            body: { ...valid, unexpectedField: 1 },
            status: 400,
            code: 'validation_failed',
            field: '/unexpectedField',
          },
          {
            name: 'oversized',
            body: { ...valid, padding: 'x'.repeat(BODY_LIMIT + 1) },
            status: 413,
            code: 'payload_too_large',
          },
        ];
      for (const [name, schema] of Object.entries(bodyProperties(route))) {
        const wrong = wrongTypeFor(schema);
        if (wrong === undefined) continue;
        cases.push({
          name: `${name} as ${JSON.stringify(wrong)}`,
          body: { ...valid, [name]: wrong },
          status: 400,
          code: 'validation_failed',
          field: `/${name}`,
        });
        const string = schema as { type?: string; maxLength?: number };
        if (string.type === 'string' && string.maxLength && string.maxLength < BODY_LIMIT / 2) {
          cases.push({
            name: `${name} too long`,
            body: { ...valid, [name]: 'a'.repeat(string.maxLength + 1) },
            status: 400,
            code: 'validation_failed',
            field: `/${name}`,
          });
        }
      }
      for (const name of (route.schema?.body as { required?: string[] }).required ?? []) {
        const missing = { ...valid };
        delete missing[name];
        cases.push({
          name: `without ${name}`,
          body: missing,
          status: 400,
          code: 'validation_failed',
          field: `/${name}`,
        });
      }

      const before = await rowCounts(t);
      for (const c of cases) {
        const res = await tenant.owner.session.request(route.method, path, c.body);
        const label = `${routeKey(route)} ${c.name}`;
        const type = res.headers.get('content-type') ?? '';
        if (res.status !== c.status) failures.push(`${label} → ${res.status}, want ${c.status}`);
        else if (!type.startsWith('application/problem+json'))
          failures.push(`${label}: ${type} is not problem+json`);
        else if (res.body.code !== c.code) failures.push(`${label}: code ${res.body.code}`);
        else if (c.field && !res.body.errors?.some((e: { field: string }) => e.field === c.field))
          failures.push(
            `${label}: errors ${JSON.stringify(res.body.errors)} do not name ${c.field}`,
          );
      }
      const after = await rowCounts(t);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        failures.push(
          `${routeKey(route)}: row counts changed ${JSON.stringify({ before, after })}`,
        );
      }
    }
    report(failures);
  });
});

/** The permission a route needs from a caller acting on someone else. */
function permissionOf(route: RouteEntry) {
  return route.config.permission ?? null;
}

describe('role matrix: each role may do exactly what ROLE_PERMISSIONS says (ACC-10)', () => {
  it('allows or refuses (403 forbidden) every workspace route for owner, admin, member, viewer', async () => {
    const failures: Failure[] = [];
    const covered = workspaceRoutes();
    expect(covered.length).toBeGreaterThan(5);
    for (const role of ROLES) {
      for (const route of covered) {
        const tenant = await makeTenant(t, `role-${role}`);
        const actor =
          role === 'owner' ? tenant.owner : await addMember(t, tenant.workspaceId, role);
        const path = await fillPath(t, route.url, tenant);
        const res = await actor.session.request(route.method, path, validBody(route, tenant), {
          'qrlink-workspace': tenant.workspaceId,
        });
        const permission = permissionOf(route);
        const allowed = permission === null || roleAllows(role, permission);
        const label = `${role} ${routeKey(route)} (${permission})`;
        if (allowed && refusedOrBroken(res.status)) {
          failures.push(`${label}: allowed by the table but got ${res.status} ${res.body?.code}`);
        }
        if (!allowed && (res.status !== 403 || res.body?.code !== 'forbidden')) {
          failures.push(`${label}: refused by the table but got ${res.status} ${res.body?.code}`);
        }
      }
    }
    report(failures);
  });

  it('lets any role leave a workspace, but never its last owner (409)', async () => {
    for (const role of ROLES.filter((r) => r !== 'owner')) {
      const tenant = await makeTenant(t, `leave-${role}`);
      const member = await addMember(t, tenant.workspaceId, role);
      const res = await member.session.request(
        'DELETE',
        `/api/v1/workspaces/${tenant.workspaceId}/members/${member.userId}`,
      );
      expect(res.status, role).toBe(204);
    }
    const tenant = await makeTenant(t, 'last-owner');
    const leave = await tenant.owner.session.request(
      'DELETE',
      `/api/v1/workspaces/${tenant.workspaceId}/members/${tenant.owner.userId}`,
    );
    expect(leave.status).toBe(409);
    expect(leave.body.code).toBe('conflict');
    const demote = await tenant.owner.session.request(
      'PATCH',
      `/api/v1/workspaces/${tenant.workspaceId}/members/${tenant.owner.userId}`,
      { role: 'admin' },
    );
    expect(demote.status).toBe(409);
    // With a second owner, the first may step down.
    const second = await addMember(t, tenant.workspaceId, 'owner');
    expect(
      (
        await tenant.owner.session.request(
          'PATCH',
          `/api/v1/workspaces/${tenant.workspaceId}/members/${tenant.owner.userId}`,
          { role: 'admin' },
        )
      ).status,
    ).toBe(204);
    // …and now the second is the last owner.
    expect(
      (
        await second.session.request(
          'DELETE',
          `/api/v1/workspaces/${tenant.workspaceId}/members/${second.userId}`,
        )
      ).status,
    ).toBe(409);
  });

  it('lets admins manage members and admins, but only owners touch owners', async () => {
    const tenant = await makeTenant(t, 'admin-owner');
    const admin = await addMember(t, tenant.workspaceId, 'admin');
    const other = await addMember(t, tenant.workspaceId, 'member');
    const base = `/api/v1/workspaces/${tenant.workspaceId}`;
    expect(
      (await admin.session.request('PATCH', `${base}/members/${other.userId}`, { role: 'admin' }))
        .status,
    ).toBe(204);
    const promote = await admin.session.request('PATCH', `${base}/members/${other.userId}`, {
      role: 'owner',
    });
    expect(promote.status).toBe(403);
    const demoteOwner = await admin.session.request(
      'PATCH',
      `${base}/members/${tenant.owner.userId}`,
      { role: 'viewer' },
    );
    expect(demoteOwner.status).toBe(403);
    const removeOwner = await admin.session.request(
      'DELETE',
      `${base}/members/${tenant.owner.userId}`,
    );
    expect(removeOwner.status).toBe(403);
    const inviteOwner = await admin.session.request('POST', `${base}/invitations`, {
      email: 'new-owner@example.test',
      role: 'owner',
    });
    expect(inviteOwner.status).toBe(403);
  });
});

describe('scope matrix: a key may do exactly what its scopes allow (ACC-08)', () => {
  it('allows or refuses (403 insufficient_scope) every authenticated route for each single scope', async () => {
    const failures: Failure[] = [];
    for (const scope of SCOPES) {
      for (const route of authenticatedRoutes()) {
        const tenant = await makeTenant(t, `scope-${scope}`);
        const key = await makeKey(t, tenant.workspaceId, tenant.owner, [scope]);
        const path = await fillPath(t, route.url, tenant);
        const res = await key.api.request(route.method, path, validBody(route, tenant));
        const label = `${scope} ${routeKey(route)}`;
        if (route.config.sessionOnly) {
          if (res.status !== 403 || res.body?.code !== 'forbidden')
            failures.push(`${label}: session-only, but a key got ${res.status}`);
          continue;
        }
        const permission = route.config.auth === 'workspace' ? permissionOf(route) : null;
        const allowed = permission === null || scopesAllow(new Set([scope]), permission);
        if (allowed && refusedOrBroken(res.status)) {
          failures.push(
            `${label} (${permission}): allowed but got ${res.status} ${res.body?.code}`,
          );
        }
        if (!allowed && (res.status !== 403 || res.body?.code !== 'insufficient_scope')) {
          failures.push(
            `${label} (${permission}): refused but got ${res.status} ${res.body?.code}`,
          );
        }
      }
    }
    report(failures);
  });

  it('maps every permission a route declares to a scope in PERMISSION_SCOPE', () => {
    for (const route of workspaceRoutes()) {
      const permission = permissionOf(route);
      if (permission) expect(PERMISSION_SCOPE, routeKey(route)).toHaveProperty(permission);
    }
  });

  it('never lets a key exceed its creator’s current role', async () => {
    const tenant = await makeTenant(t, 'key-role');
    const admin = await addMember(t, tenant.workspaceId, 'admin');
    const created = await admin.session.request(
      'POST',
      '/api/v1/api-keys',
      {
        name: 'admin key',
        scopes: ['workspace:admin'],
      },
      { 'qrlink-workspace': tenant.workspaceId },
    );
    expect(created.status).toBe(201);
    const key = caller(t.url, { key: created.body.key });
    const rename = () =>
      key.request('PATCH', `/api/v1/workspaces/${tenant.workspaceId}`, { name: 'renamed' });
    expect((await rename()).status).toBe(200);
    // The owner demotes the admin to viewer: the same key loses what viewers may not do.
    expect(
      (
        await tenant.owner.session.request(
          'PATCH',
          `/api/v1/workspaces/${tenant.workspaceId}/members/${admin.userId}`,
          { role: 'viewer' },
        )
      ).status,
    ).toBe(204);
    const refused = await rename();
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect((await key.request('GET', '/api/v1/api-keys')).status).toBe(403);
    // A viewer cannot mint keys at all, nor could a key grant more than its creator's role.
    const viewer = await addMember(t, tenant.workspaceId, 'viewer');
    const minted = await viewer.session.request(
      'POST',
      '/api/v1/api-keys',
      { name: 'x', scopes: ['links:read'] },
      { 'qrlink-workspace': tenant.workspaceId },
    );
    expect(minted.status).toBe(403);
    await expect(makeKey(t, tenant.workspaceId, viewer, ['links:write'], 'viewer')).rejects.toThrow(
      /cannot grant/,
    );
  });

  it('stops a revoked key on the very next request', async () => {
    const tenant = await makeTenant(t, 'revoke');
    const key = await makeKey(t, tenant.workspaceId, tenant.owner, ['links:read']);
    expect((await key.api.request('GET', '/api/v1/me')).status).toBe(200);
    const revoked = await tenant.owner.session.request('DELETE', `/api/v1/api-keys/${key.id}`);
    expect(revoked.status).toBe(204);
    const after = await key.api.request('GET', '/api/v1/me');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthenticated');
  });
});

describe('fixtures', () => {
  it('has an id fixture for every path parameter of every route', () => {
    const params = new Set(routes.flatMap((r) => pathParams(r.url)));
    for (const param of params) expect(() => idFixture(param)).not.toThrow();
  });

  it('builds independent tenants', async () => {
    const owner = await makeUser(t);
    const ws = await makeWorkspace(t, owner);
    const me = await owner.session.request('GET', '/api/v1/me');
    expect(me.body.workspace.id).toBe(ws);
  });
});
