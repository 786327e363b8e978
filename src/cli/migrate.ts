import { loadConfig } from '../config/index.js';
import { migrateToLatest, openDatabase, sqliteFileFor } from '../db/index.js';
import { type CliCommand, parseFlags, printFields } from './io.js';

export const run: CliCommand = async (args, io) => {
  const { values } = parseFlags(args, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write('Usage: qrlink migrate\n\nApplies pending database migrations and exits.\n');
    return 0;
  }
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
};
