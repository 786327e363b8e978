import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/index.js';
import { sqliteFileFor } from '../db/index.js';
import { isSqliteInUse, whyNotQrlinkDatabase } from '../db/sqlite-backup.js';
import { dataSecretFile, secretFileOf } from './backup.js';
import { CommandError, type CommandSpec, defineCommand, printFields, UsageError } from './io.js';

export const spec = {
  name: 'restore',
  args: 'FILE',
  about: `Puts a backup made by qrlink backup (FILE, and FILE.secret beside it) into
QRLINK_DATA_DIR. Refuses while a server uses that folder, and when it already holds a database
unless --force. FILE must be a qrlink database this version can run.`,
  options: {
    force: { type: 'boolean', help: ['replace the database (and secret) already there'] },
  },
} as const satisfies CommandSpec;

export const commands = [spec];

export const run = defineCommand(spec, async ({ values, positionals }, io) => {
  const config = loadConfig(io.env);
  if (config.db.postgresUrl) {
    throw new CommandError(
      'the database is PostgreSQL (QRLINK_DATABASE_URL): restore a pg_dump file with pg_restore',
    );
  }
  const [source, ...extra] = positionals;
  if (source === undefined || extra.length > 0) {
    throw new UsageError('give the one backup FILE to restore (see --help)');
  }
  const file = path.resolve(source);
  if (!existsSync(file)) throw new CommandError(`no backup at ${file}`);
  const { dataDir } = config.db;
  const target = sqliteFileFor(dataDir);
  if (existsSync(target)) {
    // Never under a live server, --force or not: it would keep writing to the file it has open.
    if (isSqliteInUse(target)) {
      throw new CommandError(`a running server is using ${target}: stop it first`);
    }
    if (!values.force) {
      throw new CommandError(
        `${dataDir} (QRLINK_DATA_DIR) already holds a database (add --force to replace it)`,
      );
    }
  }

  // Checked as a copy in the data folder, then renamed into place: the backup itself is never
  // opened for writing, and a refused or failed restore leaves the folder as it was.
  mkdirSync(dataDir, { recursive: true });
  const incoming = `${target}.restoring`;
  try {
    copyFileSync(file, incoming);
    const problem = whyNotQrlinkDatabase(incoming);
    if (problem !== null) {
      throw new CommandError(
        problem === 'not an SQLite database' || problem === 'not a qrlink database'
          ? `${file} is not a qrlink database backup`
          : `${file} cannot be restored: ${problem}`,
      );
    }
    // The old database's WAL would be replayed into the restored one: it goes first.
    for (const stale of [`${target}-wal`, `${target}-shm`]) rmSync(stale, { force: true });
    renameSync(incoming, target);
  } finally {
    for (const leftover of [incoming, `${incoming}-wal`, `${incoming}-shm`]) {
      rmSync(leftover, { force: true });
    }
  }

  const secret = dataSecretFile(config);
  const backupSecret = secretFileOf(file);
  let secretRestored: string;
  if (secret === null) {
    secretRestored = 'QRLINK_SECRET';
    io.stderr.write(
      'qrlink restore: QRLINK_SECRET is set: it must be the secret the backup was made with\n',
    );
  } else if (existsSync(backupSecret)) {
    secretRestored = secret;
    copyFileSync(backupSecret, secret);
  } else {
    secretRestored = existsSync(secret) ? `${secret} (kept)` : 'none';
    io.stderr.write(
      `qrlink restore: warning: no ${backupSecret}: API keys and sessions of the backup verify ` +
        'only with the secret it was made with (put it in the data folder as "secret", or set ' +
        'QRLINK_SECRET)\n',
    );
  }
  printFields(io, { database: target, secret: secretRestored });
  return 0;
});
