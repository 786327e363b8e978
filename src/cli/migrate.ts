import { loadConfig } from '../config/index.js';
import { migrateToLatest, openDatabase, sqliteFileFor } from '../db/index.js';
import { type CommandSpec, defineCommand, printFields } from './io.js';

export const spec = {
  name: 'migrate',
  about: 'Applies pending database migrations and exits (serve also applies them at start).',
  options: {},
} as const satisfies CommandSpec;

export const commands = [spec];

export const run = defineCommand(spec, async (_parsed, io) => {
  const config = loadConfig(io.env);
  const database = openDatabase({
    postgresUrl: config.db.postgresUrl,
    sqliteFile: sqliteFileFor(config.db.dataDir),
  });
  try {
    const { applied } = await migrateToLatest(database);
    printFields(io, { dialect: database.dialect, applied: applied.length });
    for (const name of applied) io.stdout.write(`migration: ${name}\n`);
  } finally {
    await database.close();
  }
  return 0;
});
