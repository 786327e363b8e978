import type { CliCommand, CliIo } from './io.js';
import { UsageError } from './io.js';
import { AppError } from '../errors.js';
import { ConfigError } from '../config/index.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  serve: {
    summary: 'serve [--port N] [--workers N]',
    load: async () => (await import('./serve.js')).run,
  },
  migrate: { summary: 'migrate', load: async () => (await import('./migrate.js')).run },
  admin: {
    summary:
      'admin create-user --email E --password P [--workspace NAME] | create-key --email E [--workspace NAME] [--scopes …]',
    load: async () => (await import('./admin.js')).run,
  },
  qr: {
    summary:
      'qr <text> [--format svg|png|txt] [--ecc L|M|Q|H] [--size PX] [--margin N] [--fg HEX] [--bg HEX] [--dpi N] [-o FILE]',
    load: async () => (await import('./qr.js')).run,
  },
};

function help(): string {
  const lines = Object.values(COMMANDS).map((c) => `  qrlink ${c.summary}`);
  return `qrlink — QR codes and smart links\n\nUsage:\n${lines.join('\n')}\n\nRun \`qrlink <command> --help\` for a command's options.\n`;
}

/** Runs one CLI invocation and returns its exit code; never throws for a user's mistake. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(
      `qrlink: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`,
    );
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`qrlink ${name}: ${err.message}\n`);
      return 2;
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
