import { sql } from 'kysely';
import { routeTable, type RouteEntry } from '../../src/http/route-table.js';
import { FIXTURE_PASSWORD, type Tenant } from './fixtures.js';
import type { TestApp } from './app.js';

/**
 * Walking the route table: which routes exist, what a valid request to each looks like, and how
 * to tell that a request left the database alone.
 */
export const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const routeKey = (r: Pick<RouteEntry, 'method' | 'url'>): string => `${r.method} ${r.url}`;

/** Every route of the public API (/api/v1), except the OpenAPI document itself. */
export function apiRoutes(t: TestApp): RouteEntry[] {
  return routeTable(t.app.api).filter(
    (r) => r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json',
  );
}

// JSON Schema as TypeBox emits it; only the keywords the example generator reads.
interface Schema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  default?: unknown;
  format?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}

let unique = 0;

/** A value that satisfies a (simple) JSON schema: required properties only, smallest values. */
export function exampleOf(schema: Schema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return exampleOf(schema.anyOf[0] as Schema);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        out[name] = exampleOf(schema.properties?.[name] ?? {});
      }
      return out;
    }
    case 'string':
      if (schema.format === 'email') return `example${++unique}@example.test`;
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
      if (schema.format === 'date-time') return new Date().toISOString();
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array': {
      const items = schema.items ?? {};
      const n = schema.minItems ?? 0;
      const branches = items.anyOf ?? [items];
      return Array.from({ length: n }, (_, i) =>
        exampleOf(branches[i % branches.length] as Schema),
      );
    }
    case 'null':
      return null;
    default:
      return null;
  }
}

/**
 * Valid bodies where the generic example would be refused for a reason other than validation
 * (a role the caller may not grant, a password below policy). Keyed by `METHOD /pattern`.
 */
export const VALID_BODIES: Record<string, (tenant: Tenant) => unknown> = {
  'POST /api/v1/auth/signup': () => ({
    email: `signup${++unique}@example.test`,
    password: FIXTURE_PASSWORD,
  }),
  'POST /api/v1/auth/login': (tenant) => ({
    email: tenant.owner.email,
    password: FIXTURE_PASSWORD,
  }),
  'POST /api/v1/auth/password-reset/confirm': () => ({
    token: 'not-a-real-token',
    password: FIXTURE_PASSWORD,
  }),
  'PATCH /api/v1/workspaces/:workspaceId/members/:userId': () => ({ role: 'member' }),
  'POST /api/v1/workspaces/:workspaceId/invitations': () => ({
    email: `invitee${++unique}@example.test`,
    role: 'viewer',
  }),
  'POST /api/v1/api-keys': () => ({ name: 'matrix', scopes: ['links:read'] }),
  'POST /api/v1/links': () => ({ url: `https://example.com/page-${++unique}` }),
  'PATCH /api/v1/links/:linkId': () => ({ title: `edited ${++unique}` }),
  'POST /api/v1/domains': () => ({ host: `go${++unique}-${process.pid}.example.org` }),
  'PATCH /api/v1/domains/:domainId': () => ({ rootUrl: 'https://example.com/home' }),
};

export function validBody(route: RouteEntry, tenant: Tenant): unknown {
  const special = VALID_BODIES[routeKey(route)];
  if (special) return special(tenant);
  const body = route.schema?.body as Schema | undefined;
  return body ? exampleOf(body) : undefined;
}

/** The JSON types a schema accepts, to pick a value of any other type. */
function acceptedTypes(schema: Schema): Set<string> {
  if (schema.anyOf) return new Set(schema.anyOf.flatMap((s) => [...acceptedTypes(s)]));
  if (schema.const !== undefined) return new Set([jsonType(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(jsonType));
  if (schema.type === undefined) return new Set(['any']);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return new Set(types.flatMap((t) => (t === 'integer' ? ['integer', 'number'] : [t])));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A value of a JSON type the schema does not accept, or undefined when it accepts anything. */
export function wrongTypeFor(schema: Schema): unknown {
  const accepted = acceptedTypes(schema);
  if (accepted.has('any')) return undefined;
  const candidates: unknown[] = [12345, 'wrong-type', true, [1, 2], { nested: 1 }, null, 1.5];
  return candidates.find((c) => !accepted.has(jsonType(c)));
}

export function bodyProperties(route: RouteEntry): Record<string, Schema> {
  return ((route.schema?.body as Schema | undefined)?.properties ?? {}) as Record<string, Schema>;
}

async function tableNames(t: TestApp): Promise<string[]> {
  const tables = await t.app.ctx.db.introspection.getTables();
  return tables
    .map((x) => x.name)
    .filter((name) => !name.startsWith('kysely_'))
    .sort();
}

/** Row count of every table: equal before and after means a request wrote nothing. */
export async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of await tableNames(t)) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(
      name,
    )}`.execute(t.app.ctx.db);
    counts[name] = Number(rows[0]?.n);
  }
  return counts;
}

/** Every row of every table, ordered, for "nothing changed" assertions. */
export async function snapshot(t: TestApp): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const name of await tableNames(t)) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(
      t.app.ctx.db,
    );
    out[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}
