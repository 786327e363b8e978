import type { FastifyContextConfig, FastifyInstance, FastifySchema } from 'fastify';

/** One registered route as the checks that walk the route table see it (CSRF, tenancy, scopes). */
export interface RouteEntry {
  method: string;
  /** Fastify's pattern, e.g. `/api/v1/workspaces/:workspaceId`. */
  url: string;
  config: FastifyContextConfig;
  schema: FastifySchema | undefined;
}

const tables = new WeakMap<object, RouteEntry[]>();

/** Records every route registered from now on, plugins included; call before any route. */
export function trackRoutes(app: FastifyInstance): void {
  const entries: RouteEntry[] = [];
  tables.set(app, entries);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      entries.push({
        method: String(method).toUpperCase(),
        url: route.url,
        config: (route.config ?? {}) as FastifyContextConfig,
        schema: route.schema,
      });
    }
  });
}

/** Every route of the app (HEAD twins of GET routes left out). */
export function routeTable(app: FastifyInstance): readonly RouteEntry[] {
  const entries = tables.get(app);
  if (!entries) throw new Error('routeTable: trackRoutes was not called on this instance');
  return entries.filter((r) => r.method !== 'HEAD');
}

/** The path parameters of a route pattern, in order (`:workspaceId`, `:keyId` → names). */
export function pathParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
}

/**
 * The first path segment of every route (`api`, `healthz`, `reset-password`, …): the paths no
 * short code may shadow. A route whose first segment is a parameter or a wildcard would claim
 * every code, so it stops start-up.
 */
export function firstPathSegments(table: readonly RouteEntry[]): Set<string> {
  const segments = new Set<string>();
  for (const route of table) {
    const segment = route.url.split('/')[1] ?? '';
    if (segment === '') continue;
    if (/[:*]/.test(segment)) {
      throw new Error(`${route.method} ${route.url}: a route may not take the short codes' paths`);
    }
    segments.add(segment);
  }
  return segments;
}
