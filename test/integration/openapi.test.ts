import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, startTestApp, type TestApp } from '../helpers/app.js';
import { apiRoutes, routeKey } from '../helpers/routes.js';

/**
 * The OpenAPI 3.1 document is generated from the route schemas (one contract). It must validate,
 * cover every /api/v1 route with its request and response schemas, and match the committed
 * docs/openapi.json. After an intended API change, regenerate that file with:
 *
 *   QRLINK_UPDATE_OPENAPI=1 npx vitest run test/integration/openapi.test.ts
 */
const COMMITTED = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../docs/openapi.json',
);

interface Operation {
  summary?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

let t: TestApp;
let doc: Document;

beforeAll(async () => {
  // The default base URL, so the generated document does not depend on the environment.
  t = await startTestApp();
  const res = await caller(t.url).request('GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body as Document;
});
afterAll(() => t.close());

const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every /api/v1 route with its request and response schemas', () => {
    const failures: string[] = [];
    for (const route of apiRoutes(t)) {
      const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      const key = routeKey(route);
      if (!op) {
        failures.push(`${key}: missing`);
        continue;
      }
      if (!op.summary || !op.tags?.length) failures.push(`${key}: no summary or tags`);
      if (route.schema?.body && !op.requestBody?.content?.['application/json']?.schema) {
        failures.push(`${key}: request body schema missing`);
      }
      const responses = op.responses ?? {};
      const success = Object.keys(responses).filter((s) => s.startsWith('2'));
      if (success.length !== 1) failures.push(`${key}: ${success.length} success responses`);
      for (const status of success) {
        if (status === '204' || status === '202') continue;
        if (!responses[status]?.content?.['application/json']?.schema) {
          failures.push(`${key}: ${status} has no schema`);
        }
      }
      for (const status of ['400', '401', '403', '404', '429', '500']) {
        if (!responses[status]?.content?.['application/problem+json']?.schema) {
          failures.push(`${key}: ${status} is not documented as problem+json`);
        }
      }
      if (route.schema?.body && !(responses['413'] && responses['415'])) {
        failures.push(`${key}: 413/415 undocumented`);
      }
      if (route.config.idempotent && !(responses['409'] && responses['422'])) {
        failures.push(`${key}: Idempotency-Key answers (409/422) undocumented`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('has no operation without a route behind it', () => {
    const routes = new Set(apiRoutes(t).map((r) => `${r.method} ${openApiPath(r.url)}`));
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => m !== 'parameters')
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(operations.filter((op) => !routes.has(op))).toEqual([]);
  });

  it('matches the committed docs/openapi.json (QRLINK_UPDATE_OPENAPI=1 regenerates it)', () => {
    if (process.env.QRLINK_UPDATE_OPENAPI === '1') {
      writeFileSync(COMMITTED, JSON.stringify(doc, null, 2) + '\n');
    }
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as unknown;
    expect(
      doc,
      'docs/openapi.json is out of date: run QRLINK_UPDATE_OPENAPI=1 npx vitest run test/integration/openapi.test.ts',
    ).toEqual(committed);
  });
});

describe('API docs page', () => {
  it('serves the interactive documentation at /api/docs', async () => {
    const res = await fetch(`${t.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/swagger/i);
  });
});
