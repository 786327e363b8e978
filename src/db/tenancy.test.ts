import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from './index.js';

/**
 * Static tenancy check (ACC-09): every function that reads, updates or deletes rows of a table
 * with a `workspace_id` column must filter on it — or say, in a `// tenant-exempt: <reason>`
 * comment inside the function, why a lookup across workspaces is right (e.g. by a secret's hash).
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Each top-level function of a file, with its name and text. */
function functionsOf(text: string): { name: string; body: string }[] {
  const starts = [...text.matchAll(/^(?:export )?(?:async )?function (\w+)/gm)];
  return starts.map((m, i) => ({
    name: m[1] as string,
    body: text.slice(m.index, starts[i + 1]?.index ?? text.length),
  }));
}

async function tenantTables(): Promise<Set<string>> {
  const database = openDatabase({ postgresUrl: null, sqliteFile: ':memory:' });
  try {
    await migrateToLatest(database);
    const tables = await database.db.introspection.getTables();
    return new Set(
      tables.filter((t) => t.columns.some((c) => c.name === 'workspace_id')).map((t) => t.name),
    );
  } finally {
    await database.close();
  }
}

describe('tenant scoping of queries (ACC-09)', () => {
  it('finds the tenant tables', async () => {
    const tables = await tenantTables();
    for (const name of ['memberships', 'api_keys', 'invitations', 'audit_log']) {
      expect(tables).toContain(name);
    }
  });

  it('every read, update or delete of a tenant table filters on workspace_id or says why not', async () => {
    const tables = await tenantTables();
    const violations: string[] = [];
    let checked = 0;
    for (const file of sourceFiles(SRC)) {
      for (const fn of functionsOf(readFileSync(file, 'utf8'))) {
        const touched = [
          ...fn.body.matchAll(/\.(?:selectFrom|updateTable|deleteFrom)\(\s*'(\w+)'/g),
        ].map((m) => m[1] as string);
        if (!touched.some((t) => tables.has(t))) continue;
        checked++;
        const filtered = /\.where\(\s*'(?:\w+\.)?workspace_id'/.test(fn.body);
        if (filtered || /\/\/ tenant-exempt: \S/.test(fn.body)) continue;
        violations.push(`${path.relative(SRC, file)}: ${fn.name} (${touched.join(', ')})`);
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(violations).toEqual([]);
  });
});
