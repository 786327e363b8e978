/** The streams a CLI command writes to; injected so tests can capture output. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
}

/** An error the CLI prints as one line, `qrlink <command>: <message>`. */
abstract class CliError extends Error {
  /** The (sub)command it came from, filled in by defineCommand. */
  command: string | undefined;
}

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
}

/** A command that could not do its job for a reason it explains in one line: exit code 1. */
export class CommandError extends CliError {
  override name = 'CommandError';
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder of a string option's value in usage lines: `N`, `svg|png|txt`. */
  readonly value?: string;
  readonly required?: boolean;
  /** One line per element in the command's --help. */
  readonly help: readonly string[];
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/**
 * One command's options and arguments: the single table that parsing, its --help and the
 * top-level help are all generated from, so none of them can leave an option out.
 */
export interface CommandSpec<T extends OptionTable = OptionTable> {
  /** As typed after `qrlink`: `serve`, `admin create-user`. */
  readonly name: string;
  /** Positional arguments in usage lines: `<text>`, `FILE`. */
  readonly args?: string;
  /** The paragraph its --help shows under the usage line. */
  readonly about: string;
  readonly options: T;
}

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean' ? boolean : string;

/** Parsed values: required options always present (parseCommand checks), the others optional. */
export type Values<T extends OptionTable> = {
  -readonly [K in keyof T as T[K] extends { required: true } ? K : never]: ValueOf<T[K]>;
} & {
  -readonly [K in keyof T as T[K] extends { required: true } ? never : K]?: ValueOf<T[K]>;
};

export interface Parsed<T extends OptionTable> {
  values: Values<T>;
  positionals: string[];
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: ['show this help'] };

const spelling = (name: string, option: OptionSpec) =>
  option.short ? `-${option.short}/--${name}` : `--${name}`;

/**
 * The command's arguments against its table. A string option takes the next argument as its
 * value even when that starts with a dash (`--size -5` is a bad size, not an unknown option),
 * unless it is another option of the command. `--` ends the options.
 */
export function parseCommand<T extends OptionTable>(
  spec: CommandSpec<T>,
  args: readonly string[],
): Parsed<T> & { help: boolean } {
  // A Map, not an object: `--constructor` must not find Object.prototype's.
  const table = new Map<string, OptionSpec>([
    ...Object.entries(spec.options),
    ['help', HELP_OPTION],
  ]);
  const byShort = new Map(
    [...table].flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])),
  );
  const known = [...table].map(([name, option]) => spelling(name, option)).join(', ');
  const isOption = (arg: string | undefined) => {
    const long = arg !== undefined && /^--([^=]+)/.exec(arg)?.[1];
    return long ? table.has(long) : arg !== undefined && byShort.has(arg.slice(1));
  };
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    const short = long ? null : /^-([^-])(.*)$/s.exec(arg);
    if (!long && !short) {
      positionals.push(arg);
      continue;
    }
    const name = long ? (long[1] as string) : byShort.get((short as RegExpExecArray)[1] as string);
    const option = name === undefined ? undefined : table.get(name);
    if (name === undefined || option === undefined) {
      throw new UsageError(`unknown option ${long ? `--${long[1]}` : arg} (options: ${known})`);
    }
    const inline = long ? long[2] : short?.[2] || undefined;
    if (option.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      values[name] = true;
      continue;
    }
    if (inline !== undefined) {
      values[name] = inline;
    } else if (i + 1 < args.length && !isOption(args[i + 1])) {
      values[name] = args[++i] as string;
    } else {
      throw new UsageError(`option --${name} needs a value (${option.value ?? 'VALUE'})`);
    }
  }
  const help = values.help === true;
  delete values.help;
  if (!help) {
    if (spec.args === undefined && positionals.length > 0) {
      throw new UsageError(`unexpected argument "${positionals[0]}"`);
    }
    for (const [name, option] of Object.entries(spec.options)) {
      if (option.required && (values[name] === undefined || values[name] === '')) {
        throw new UsageError(`--${name} is required`);
      }
    }
  }
  return { values: values as Values<T>, positionals, help };
}

/** `qrlink qr <text> [--format svg|png|txt] … [-o FILE]`, as tokens for wrapping. */
function usageTokens(spec: CommandSpec): string[] {
  const options = Object.entries(spec.options).map(([name, option]) => {
    const flag = option.short ? `-${option.short}|--${name}` : `--${name}`;
    const text = option.type === 'string' ? `${flag} ${option.value ?? 'VALUE'}` : flag;
    return option.required ? text : `[${text}]`;
  });
  return [`qrlink ${spec.name}`, ...(spec.args ? [spec.args] : []), ...options];
}

const WIDTH = 92;

function wrap(tokens: string[], indent: string, continuation: string): string {
  const lines: string[] = [];
  let line = indent + (tokens[0] ?? '');
  for (const token of tokens.slice(1)) {
    if (line.length + 1 + token.length > WIDTH) {
      lines.push(line);
      line = continuation + token;
    } else {
      line += ' ' + token;
    }
  }
  return [...lines, line].join('\n');
}

/** The usage line of one command, indented for a list of commands. */
export function usageLine(spec: CommandSpec, indent = '  '): string {
  return wrap(usageTokens(spec), indent, indent + '    ');
}

/** A command's own --help: usage, what it does, and every option with its explanation. */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : '';
    const value = option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : '';
    const [first = '', ...more] = option.help;
    const help = option.required ? [`${first} (required)`, ...more] : option.help;
    return { left: `${short}--${name}${value}`, help };
  });
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  const options = rows.flatMap(({ left, help }) =>
    help.map((line, i) => `  ${(i === 0 ? left : '').padEnd(width)}${line}`),
  );
  const full = usageLine(spec, 'Usage: ');
  const head = full.includes('\n')
    ? `Usage: qrlink ${spec.name}${spec.args ? ` ${spec.args}` : ''} [options]`
    : full;
  return `${head}\n\n${spec.about}\n\nOptions:\n${options.join('\n')}\n`;
}

/** Prints `name: value` lines, the format scripts read from commands that create something. */
export function printFields(io: CliIo, fields: Record<string, string | number>): void {
  for (const [name, value] of Object.entries(fields)) io.stdout.write(`${name}: ${value}\n`);
}

/**
 * A command run from its table: arguments parsed (a mistake is a UsageError), `--help` printed
 * from the table, then the body.
 */
export function defineCommand<T extends OptionTable>(
  spec: CommandSpec<T>,
  body: (parsed: Parsed<T>, io: CliIo) => Promise<number>,
): CliCommand {
  return async (args, io) => {
    try {
      const { help, ...parsed } = parseCommand(spec, args);
      if (help) {
        io.stdout.write(commandHelp(spec));
        return 0;
      }
      return await body(parsed, io);
    } catch (err) {
      if (err instanceof CliError) err.command ??= spec.name;
      throw err;
    }
  };
}

/** What each command module exports: its entry point and the table(s) of what it accepts. */
export interface CommandModule {
  run: CliCommand;
  commands: readonly CommandSpec[];
}
