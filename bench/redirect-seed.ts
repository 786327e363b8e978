/**
 * bench:redirect's data: a workspace, an API key and link 0 created through the API of an
 * in-process app, then as many links as asked for, bulk-inserted as copies of link 0's row.
 */
import type { Selectable } from 'kysely';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { ALL_TIME, periodOf } from '../src/billing/usage.js';
import { loadConfig } from '../src/config/index.js';
import { openDatabase, sqliteFileFor } from '../src/db/index.js';
import type { LinksTable } from '../src/db/schema.js';
import { codeKey, generateCode } from '../src/links/codes.js';
import { newId } from '../src/shared/ids.js';
import { createWorkspace } from './workspace.js';

type LinkRow = Selectable<LinksTable>;

export interface Seed {
  dataDir: string;
  secret: string;
  workspaceId: string;
  /** Scopes links:write and workspace:admin. */
  key: string;
  /** The row the API wrote for link 0; bulk rows copy it. */
  template: LinkRow;
  /** codes[i] redirects to destination(i). */
  codes: string[];
}

export const destination = (i: number) => `https://example.com/p/${i}`;

/** The workspace-wide tracking switch, through the API of the server at `url`. */
export async function switchTracking(
  url: string,
  { workspaceId, key }: Pick<Seed, 'workspaceId' | 'key'>,
  track: boolean,
): Promise<void> {
  const res = await fetch(`${url}/api/v1/workspaces/${workspaceId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ track }),
  });
  if (res.status !== 200) throw new Error(`tracking: ${res.status} ${await res.text()}`);
}

export async function seedWorkspace(dataDir: string, secret: string): Promise<Seed> {
  const config = loadConfig({
    QRLINK_DATA_DIR: dataDir,
    QRLINK_HOST: '127.0.0.1',
    QRLINK_SECRET: secret,
    QRLINK_LOG_LEVEL: 'silent',
  });
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) });
  try {
    const url = await app.listen(0);
    const { workspaceId, key } = await createWorkspace(url, ['links:write', 'workspace:admin']);
    // The throughput runs measure the redirect path alone; bench:redirect switches tracking on
    // for the runs with tracked links.
    await switchTracking(url, { workspaceId, key }, false);
    const link = await fetch(`${url}/api/v1/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ url: destination(0) }),
    });
    if (link.status !== 201) throw new Error(`link: ${link.status} ${await link.text()}`);
    const { id, code } = (await link.json()) as { id: string; code: string };
    const template = await app.ctx.db
      .selectFrom('links')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { dataDir, secret, workspaceId, key, template, codes: [code] };
  } finally {
    await app.close();
  }
}

/**
 * Adds links until the workspace holds `total`: link 0's row with its own id, generated code
 * and destination, in one transaction on the database layer's SQLite handle (through the API a
 * million links would take many minutes). The usage meters are raised to match.
 */
export async function addLinks(
  seed: Seed,
  total: number,
  progress: (done: number) => void,
): Promise<void> {
  const from = seed.codes.length;
  if (total <= from) return;
  const database = openDatabase({ postgresUrl: null, sqliteFile: sqliteFileFor(seed.dataDir) });
  const sqlite = database.sqlite;
  if (!sqlite) throw new Error('bench:redirect seeds SQLite');
  const columns = Object.keys(seed.template) as (keyof LinkRow)[];
  const insert = sqlite.prepare(
    database.db.insertInto('links').values(seed.template).compile().sql,
  );
  const taken = new Set(seed.codes.map(codeKey));
  const { created_at: first } = seed.template;
  sqlite.transaction(() => {
    for (let i = from; i < total; i++) {
      const code = generateCode(taken);
      taken.add(code);
      seed.codes.push(code);
      // Link i was created i ms after link 0: ids grow, so the primary key is appended to.
      const created = first + i;
      const row: LinkRow = {
        ...seed.template,
        id: newId('lnk', created),
        created_at: created,
        updated_at: created,
        code,
        code_key: codeKey(code),
        url: destination(i),
      };
      insert.run(columns.map((column) => row[column]));
      if ((i + 1) % 250_000 === 0) progress(i + 1);
    }
  })();
  const added = total - from;
  for (const [meter, period] of [
    ['links', periodOf(first)],
    ['active_links', ALL_TIME],
  ] as const) {
    await database.db
      .updateTable('usage_counters')
      .set((eb) => ({ value: eb('value', '+', added) }))
      .where('workspace_id', '=', seed.workspaceId)
      .where('meter', '=', meter)
      .where('period', '=', period)
      .execute();
  }
  await database.close();
}
