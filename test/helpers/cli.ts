import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';

export interface InProcessRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** One CLI invocation in this process, its output captured (stdout a terminal when `tty`). */
export async function runCliInProcess(
  args: string[],
  options: { tty?: boolean; env?: Record<string, string> } = {},
): Promise<InProcessRun> {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const io: CliIo = { stdout, stderr, env: options.env ?? {} };
  const code = await runCli(args, io);
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}
