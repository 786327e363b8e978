import { readFileSync } from 'node:fs';
import { type CliIo, type CommandModule, CommandError, UsageError, usageLine } from './io.js';
import { AppError } from '../errors.js';
import { ConfigError } from '../config/index.js';

/** Loaded on use, so `qrlink qr` does not load the server. */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  serve: () => import('./serve.js'),
  migrate: () => import('./migrate.js'),
  backup: () => import('./backup.js'),
  restore: () => import('./restore.js'),
  qr: () => import('./qr.js'),
  admin: () => import('./admin.js'),
};

/** Two levels up from src/cli and from dist/cli alike. */
const PACKAGE = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** Every command's usage line, generated from the same tables the commands parse with. */
async function usage(): Promise<string> {
  const modules = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const lines = modules.flatMap((m) => m.commands.map((spec) => usageLine(spec)));
  return `Usage:
${lines.join('\n')}
  qrlink --version

Run \`qrlink <command> --help\` for what a command does and its options.
`;
}

/** Runs one CLI invocation and returns its exit code; never throws for a user's mistake. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`qrlink ${PACKAGE.version}: QR codes and smart links\n\n${await usage()}`);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`qrlink ${PACKAGE.version}\n`);
    return 0;
  }
  if (name === undefined) {
    io.stderr.write(`qrlink: missing command\n\n${await usage()}`);
    return 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(
      `qrlink: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`,
    );
    return 2;
  }
  try {
    return await (await load()).run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof CommandError) {
      io.stderr.write(`qrlink ${err.command ?? name}: ${err.message}\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`qrlink ${name}: configuration error: ${err.message}\n`);
      return 78;
    }
    if (err instanceof AppError) {
      io.stderr.write(`qrlink ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
