import { migrateDatabase, openConfiguredDatabase } from '../app.js';
import { loadConfig } from '../config/index.js';
import { type CommandSpec, defineCommand, printFields } from './io.js';

export const spec = {
  name: 'migrate',
  about: 'Applies pending database migrations and exits (serve also applies them at start).',
  options: {},
} as const satisfies CommandSpec;

export const commands = [spec];

export const run = defineCommand(spec, async (_parsed, io) => {
  const config = loadConfig(io.env);
  const database = openConfiguredDatabase(config);
  try {
    const { applied } = await migrateDatabase(config, database);
    printFields(io, { dialect: database.dialect, applied: applied.length });
    for (const name of applied) io.stdout.write(`migration: ${name}\n`);
  } finally {
    await database.close();
  }
  return 0;
});
