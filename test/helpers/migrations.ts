import { Migrator } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database, type DialectName } from '../../src/db/index.js';
import { migrationsFor } from '../../src/db/migrations/index.js';
import { createScratchPostgres, type ScratchPostgres } from './services.js';

/**
 * For migration tests, called in a describe block: an empty database of the dialect (in-memory
 * SQLite, or a scratch PostgreSQL database dropped afterwards) and a migrator over every
 * migration, made before the block's tests and closed after them.
 */
export function scratchMigrations(
  dialect: DialectName,
): () => { database: Database; migrator: Migrator } {
  let scratch: ScratchPostgres | null = null;
  let database: Database | undefined;
  let migrator: Migrator | undefined;
  beforeAll(async () => {
    if (dialect === 'postgres') scratch = await createScratchPostgres();
    database = openDatabase({ postgresUrl: scratch?.url ?? null, sqliteFile: ':memory:' });
    const migrations = migrationsFor(dialect);
    migrator = new Migrator({
      db: database.db,
      provider: { getMigrations: async () => migrations },
    });
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });
  return () => {
    if (!database || !migrator) throw new Error('scratchMigrations: only inside a test');
    return { database, migrator };
  };
}
