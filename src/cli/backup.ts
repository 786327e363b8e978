import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config/index.js';
import { sqliteFileFor } from '../db/index.js';
import { backupSqlite } from '../db/sqlite-backup.js';
import {
  CommandError,
  type CliIo,
  type CommandSpec,
  defineCommand,
  printFields,
  UsageError,
} from './io.js';

export const spec = {
  name: 'backup',
  args: 'FILE',
  about: `Copies the SQLite database into FILE while the server runs (SQLite's online backup, so
writes still in qrlink.db-wal are included), and the generated server secret into FILE.secret:
API keys, sessions and visitor hashes only verify with the secret they were made with. Keep the
two files together; restore them with qrlink restore FILE. On PostgreSQL it prints how to use
pg_dump instead.`,
  options: {
    force: { type: 'boolean', help: ['replace FILE (and FILE.secret) when they exist'] },
  },
} as const satisfies CommandSpec;

export const commands = [spec];

/** The file a backup's server secret is kept in, next to the database copy. */
export const secretFileOf = (file: string) => `${file}.secret`;

/** The generated secret in the data folder; null when QRLINK_SECRET supplies it instead. */
export const dataSecretFile = (config: Config) =>
  config.secret === null ? path.join(config.db.dataDir, 'secret') : null;

/** What to run instead on PostgreSQL: qrlink cannot copy a database it does not hold. */
function postgresAdvice(io: CliIo, config: Config, postgresUrl: string): number {
  const url = new URL(postgresUrl);
  url.password = '';
  const secret = dataSecretFile(config);
  io.stderr
    .write(`qrlink backup: the database is PostgreSQL (QRLINK_DATABASE_URL); nothing was written.
Back it up with PostgreSQL's own tools, for example:
  pg_dump --format=custom --file qrlink.dump '${url.toString()}'
(restore: pg_restore --clean --if-exists --dbname '${url.toString()}' qrlink.dump)
and keep the server secret with the dump: ${
    secret === null ? 'the value of QRLINK_SECRET' : `the file ${secret}`
  }.
`);
  return 1;
}

export const run = defineCommand(spec, async ({ values, positionals }, io) => {
  const config = loadConfig(io.env);
  if (config.db.postgresUrl) return postgresAdvice(io, config, config.db.postgresUrl);
  const [target, ...extra] = positionals;
  if (target === undefined || extra.length > 0) {
    throw new UsageError('give one FILE to write the backup to (see --help)');
  }
  const file = path.resolve(target);
  const source = sqliteFileFor(config.db.dataDir);
  if (!existsSync(source)) {
    throw new CommandError(`no database at ${source} (QRLINK_DATA_DIR)`);
  }
  const secret = dataSecretFile(config);
  const secretCopy = secretFileOf(file);
  for (const existing of [file, ...(secret ? [secretCopy] : [])]) {
    if (existsSync(existing) && !values.force) {
      throw new CommandError(`${existing} already exists (add --force to replace it)`);
    }
  }
  if (!existsSync(path.dirname(file))) {
    throw new CommandError(`cannot write ${file}: its folder does not exist`);
  }

  // Written beside the target and renamed when complete: an interrupted backup never looks whole.
  const partial = `${file}.partial`;
  let reported = -1;
  let pages: number;
  try {
    ({ totalPages: pages } = await backupSqlite(source, partial, (p) => {
      const percent = Math.floor((100 * (p.totalPages - p.remainingPages)) / p.totalPages);
      if (percent === reported) return;
      reported = percent;
      io.stderr.write(
        `qrlink backup: ${percent}% (${p.totalPages - p.remainingPages} of ${p.totalPages} pages)\n`,
      );
    }));
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  io.stderr.write(`qrlink backup: 100% (${pages} of ${pages} pages)\n`);
  renameSync(partial, file);

  let secretKept: string;
  if (secret === null) {
    secretKept = 'QRLINK_SECRET';
    io.stderr.write(
      'qrlink backup: the server secret comes from QRLINK_SECRET: keep its value with the backup\n',
    );
  } else if (existsSync(secret)) {
    secretKept = secretCopy;
    copyFileSync(secret, secretCopy);
  } else {
    secretKept = 'none';
    io.stderr.write(
      `qrlink backup: warning: no server secret at ${secret}; if the server ran with ` +
        'QRLINK_SECRET, keep its value with the backup\n',
    );
  }
  printFields(io, { database: file, secret: secretKept, pages });
  return 0;
});
