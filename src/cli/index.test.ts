import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../test/helpers/cli.js';

const cli = (...args: string[]) => runCliInProcess(args);
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Every command as typed after `qrlink`, each with a --help of its own. */
const COMMANDS = [
  'serve',
  'migrate',
  'backup',
  'restore',
  'qr',
  'admin create-user',
  'admin create-key',
  'admin set-plan',
];

/** The `--flag` and `-f` spellings a help text mentions in its option list. */
const flagsIn = (help: string) =>
  new Set([...help.matchAll(/(?<![\w-])(--?[a-z][\w-]*)/g)].map((m) => m[1] as string));

describe('qrlink (top level)', () => {
  it.each([['--version'], ['-v']])('%s prints the package version and exits 0', async (flag) => {
    const run = await cli(flag);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toBe(`qrlink ${VERSION}\n`);
  });

  it('--help lists every command with every option its own help lists', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    const help = top.stdout.toString();
    for (const command of COMMANDS) {
      const own = await cli(...command.split(' '), '--help');
      expect(own.code, command).toBe(0);
      const usage = new RegExp(`^  qrlink ${command}\\b`, 'm');
      expect(help, command).toMatch(usage);
      for (const flag of flagsIn(own.stdout.toString())) {
        if (flag === '-h' || flag === '--help') continue;
        expect(help, `${command} ${flag}`).toContain(flag);
      }
    }
    expect(help).toContain('qrlink --version');
  });

  it('alone, says a command is missing and shows the usage on stderr (exit 2)', async () => {
    const run = await cli();
    expect(run.code).toBe(2);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toMatch(/^qrlink: missing command\n\nUsage:\n {2}qrlink serve /);
  });
});

describe('qrlink admin', () => {
  it('alone, says a subcommand is missing and shows its usage on stderr (exit 2)', async () => {
    const run = await cli('admin');
    expect(run.code).toBe(2);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toMatch(
      /^qrlink admin: missing subcommand \(create-user, create-key, set-plan\)\n\nUsage:\n/,
    );
    expect(run.stderr).toContain('qrlink admin set-plan --workspace W --plan P');
  });

  it('--help shows the same usage on stdout and exits 0', async () => {
    const run = await cli('admin', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toMatch(/^Usage:\n {2}qrlink admin create-user /);
    expect(run.stdout.toString()).toContain('qrlink admin set-plan --workspace W --plan P');
  });

  it('refuses an unknown option of a subcommand, listing its options', async () => {
    const run = await cli('admin', 'set-plan', '--workspace', 'Acme', '--plna', 'pro');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'qrlink admin set-plan: unknown option --plna (options: --workspace, --plan, -h/--help)\n',
    );
  });

  it('refuses option names that only an object prototype knows', async () => {
    const run = await cli('admin', 'set-plan', '--constructor', 'x', '--plan', 'pro');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^qrlink admin set-plan: unknown option --constructor /);
  });

  it('names a missing required option', async () => {
    const run = await cli('admin', 'set-plan', '--workspace', 'Acme');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('qrlink admin set-plan: --plan is required\n');
  });
});

describe('qrlink serve', () => {
  it('--help describes what runs today (no dashboard yet)', async () => {
    const run = await cli('serve', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toMatch(/^Usage: qrlink serve \[--port N\] \[--workers N\]\n/);
    expect(run.stdout.toString()).not.toMatch(/dashboard/i);
  });

  it('refuses an unknown option, listing its options', async () => {
    const run = await cli('serve', '--prot', '9000');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'qrlink serve: unknown option --prot (options: --port, --workers, -h/--help)\n',
    );
  });
});
