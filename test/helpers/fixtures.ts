import { hashPassword } from '../../src/accounts/passwords.js';
import { insertSession, insertUser } from '../../src/accounts/repo.js';
import { hashToken, randomToken } from '../../src/accounts/tokens.js';
import { createApiKey } from '../../src/api-keys/service.js';
import { recordAudit } from '../../src/audit/repo.js';
import { sessionCookieName } from '../../src/http/auth.js';
import { newId } from '../../src/shared/ids.js';
import { insertInvitation, insertMembership, insertWorkspace } from '../../src/workspaces/repo.js';
import { recordChange } from '../../src/db/changes.js';
import { insertDomain } from '../../src/domains/repo.js';
import { codeKey, generateCode } from '../../src/links/codes.js';
import type { Insertable } from 'kysely';
import type { LinksTable } from '../../src/db/schema.js';
import { insertLink } from '../../src/links/repo.js';
import { SCOPES, type Role, type Scope } from '../../src/workspaces/roles.js';
import { caller, type Caller, type TestApp } from './app.js';

/**
 * Factories that build accounts, workspaces and their objects straight through the repos (no
 * HTTP, no e-mail, one shared password hash), so matrix tests can afford a fresh world per case.
 */
export const FIXTURE_PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;
let counter = 0;

export interface FixtureUser {
  userId: string;
  email: string;
  cookie: string;
  /** Calls with the user's session cookie. */
  session: Caller;
}

export interface FixtureKey {
  id: string;
  key: string;
  api: Caller;
}

export async function makeUser(t: TestApp, prefix = 'fx'): Promise<FixtureUser> {
  const db = t.app.ctx.db;
  const now = t.app.ctx.clock.now();
  const userId = newId('usr', now);
  const email = `${prefix}${++counter}-${process.pid}@example.test`;
  passwordHash ??= hashPassword(FIXTURE_PASSWORD);
  await insertUser(db, { id: userId, email, name: prefix, passwordHash: await passwordHash, now });
  const token = randomToken(32);
  await insertSession(db, {
    id: newId('ses', now),
    tokenHash: hashToken(token),
    userId,
    now,
    expiresAt: now + 14 * 24 * 3600_000,
  });
  const cookie = `${sessionCookieName(t.app.ctx.config.http.baseUrl)}=${token}`;
  return { userId, email, cookie, session: caller(t.url, { cookie }) };
}

export async function makeWorkspace(t: TestApp, owner: FixtureUser, name = 'fixture') {
  const now = t.app.ctx.clock.now();
  const id = newId('wsp', now);
  await insertWorkspace(t.app.ctx.db, { id, name, plan: 'unlimited', now });
  await insertMembership(t.app.ctx.db, {
    workspaceId: id,
    userId: owner.userId,
    role: 'owner',
    now,
  });
  return id;
}

export async function addMember(
  t: TestApp,
  workspaceId: string,
  role: Role,
  user?: FixtureUser,
): Promise<FixtureUser> {
  const member = user ?? (await makeUser(t, role));
  await insertMembership(t.app.ctx.db, {
    workspaceId,
    userId: member.userId,
    role,
    now: t.app.ctx.clock.now(),
  });
  return member;
}

export async function makeKey(
  t: TestApp,
  workspaceId: string,
  creator: FixtureUser,
  scopes: readonly Scope[] = SCOPES,
  role: Role = 'owner',
): Promise<FixtureKey> {
  const created = await createApiKey(t.app.ctx, {
    workspaceId,
    userId: creator.userId,
    role,
    name: 'fixture',
    mode: 'test',
    scopes: [...scopes],
  });
  return { id: created.id, key: created.key, api: caller(t.url, { key: created.key }) };
}

export async function makeInvitation(t: TestApp, workspaceId: string, inviter: FixtureUser) {
  const now = t.app.ctx.clock.now();
  const id = newId('inv', now);
  await insertInvitation(t.app.ctx.db, {
    id,
    workspaceId,
    email: `invitee${++counter}@example.test`,
    role: 'viewer',
    tokenHash: hashToken(randomToken(32)),
    invitedBy: inviter.userId,
    now,
    expiresAt: now + 3600_000,
  });
  return id;
}

/**
 * A complete links row with the defaults a plain active link has, for tests that write links
 * around the API (fixtures, rows the change log never announced, bad stored destinations).
 */
export function linkRow(
  fields: {
    id: string;
    workspaceId: string;
    code: string;
    createdBy: string;
    now: number;
  } & Partial<Insertable<LinksTable>>,
): Insertable<LinksTable> {
  const { id, workspaceId, code, createdBy, now, ...columns } = fields;
  return {
    id,
    workspace_id: workspaceId,
    domain: '',
    code,
    code_key: codeKey(code),
    url: 'https://example.com/fixture',
    title: null,
    notes: null,
    tags: '[]',
    rules: null,
    expires_at: null,
    expired_url: null,
    max_scans: null,
    fallback_url: null,
    password_hash: null,
    redirect_type: 302,
    pass_query: 0,
    utm: null,
    status: 'active',
    track: 1,
    created_by: createdBy,
    created_at: now,
    updated_at: now,
    archived_at: null,
    ...columns,
  };
}

export async function makeLink(t: TestApp, workspaceId: string, creator: FixtureUser) {
  const now = t.app.ctx.clock.now();
  const id = newId('lnk', now);
  await insertLink(
    t.app.ctx.db,
    linkRow({
      id,
      workspaceId,
      code: generateCode(t.app.reservedCodes),
      createdBy: creator.userId,
      now,
      title: 'fixture',
      tags: '["fixture"]',
    }),
  );
  await recordChange(t.app.ctx.db, t.app.ctx.dialect, 'link', id, now);
  return id;
}

export async function makeDomain(t: TestApp, workspaceId: string) {
  const now = t.app.ctx.clock.now();
  const id = newId('dom', now);
  await insertDomain(t.app.ctx.db, {
    id,
    workspaceId,
    host: `go${++counter}-${process.pid}.example.test`,
    token: randomToken(24),
    now,
    rootUrl: null,
    notFoundUrl: null,
  });
  return id;
}

/** A workspace with its owner (session) and an all-scope key of that owner. */
export interface Tenant {
  workspaceId: string;
  owner: FixtureUser;
  ownerKey: FixtureKey;
}

export async function makeTenant(t: TestApp, name = 'tenant'): Promise<Tenant> {
  const owner = await makeUser(t, `${name}-owner`);
  const workspaceId = await makeWorkspace(t, owner, name);
  const ownerKey = await makeKey(t, workspaceId, owner);
  return { workspaceId, owner, ownerKey };
}

/**
 * How to get an id, owned by the tenant, for each kind of path parameter. A new route with a
 * new `:xxxId` parameter makes the route-table suites fail until it has an entry here.
 */
export const ID_FIXTURES: Record<string, (t: TestApp, tenant: Tenant) => Promise<string>> = {
  workspaceId: async (_t, tenant) => tenant.workspaceId,
  userId: async (t, tenant) => (await addMember(t, tenant.workspaceId, 'viewer')).userId,
  invitationId: (t, tenant) => makeInvitation(t, tenant.workspaceId, tenant.owner),
  keyId: async (t, tenant) => (await makeKey(t, tenant.workspaceId, tenant.owner)).id,
  linkId: (t, tenant) => makeLink(t, tenant.workspaceId, tenant.owner),
  domainId: (t, tenant) => makeDomain(t, tenant.workspaceId),
};

export function idFixture(param: string) {
  const make = ID_FIXTURES[param];
  if (!make) {
    throw new Error(
      `No fixture for the path parameter :${param}. Add one to ID_FIXTURES in test/helpers/fixtures.ts ` +
        '(how to create an object of that kind in a given tenant) so the route-table suites cover it.',
    );
  }
  return make;
}

/** The route pattern with every `:param` filled from ID_FIXTURES (fresh objects each call). */
export async function fillPath(
  t: TestApp,
  url: string,
  tenant: Tenant,
  fixed: Record<string, string> = {},
): Promise<string> {
  let path = url;
  for (const [, param] of url.matchAll(/:([A-Za-z0-9_]+)/g)) {
    const name = param as string;
    const id = fixed[name] ?? (await idFixture(name)(t, tenant));
    path = path.replace(`:${name}`, encodeURIComponent(id));
  }
  return path;
}

/**
 * How to add `n` more items to what each list route returns for the tenant's owner. A new list
 * route makes the pagination suite fail until it has an entry here.
 */
export const LIST_SEEDS: Record<string, (t: TestApp, tenant: Tenant, n: number) => Promise<void>> =
  {
    '/api/v1/workspaces': async (t, tenant, n) => {
      const now = t.app.ctx.clock.now();
      for (let i = 0; i < n; i++) {
        const id = newId('wsp', now);
        await insertWorkspace(t.app.ctx.db, { id, name: `extra ${i}`, plan: 'unlimited', now });
        await insertMembership(t.app.ctx.db, {
          workspaceId: id,
          userId: tenant.owner.userId,
          role: 'viewer',
          now,
        });
      }
    },
    '/api/v1/workspaces/:workspaceId/members': async (t, tenant, n) => {
      for (let i = 0; i < n; i++) await addMember(t, tenant.workspaceId, 'viewer');
    },
    '/api/v1/workspaces/:workspaceId/invitations': async (t, tenant, n) => {
      for (let i = 0; i < n; i++) await makeInvitation(t, tenant.workspaceId, tenant.owner);
    },
    '/api/v1/api-keys': async (t, tenant, n) => {
      for (let i = 0; i < n; i++)
        await makeKey(t, tenant.workspaceId, tenant.owner, ['links:read']);
    },
    '/api/v1/links': async (t, tenant, n) => {
      for (let i = 0; i < n; i++) await makeLink(t, tenant.workspaceId, tenant.owner);
    },
    '/api/v1/domains': async (t, tenant, n) => {
      for (let i = 0; i < n; i++) await makeDomain(t, tenant.workspaceId);
    },
    '/api/v1/audit-log': async (t, tenant, n) => {
      for (let i = 0; i < n; i++) {
        await recordAudit(
          t.app.ctx.db,
          {
            workspaceId: tenant.workspaceId,
            actorUserId: tenant.owner.userId,
            action: 'test.seed',
          },
          t.app.ctx.clock.now() + i,
        );
      }
    },
  };
