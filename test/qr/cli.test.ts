import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { REQUIRE_SERVICES, decodeWithJsqr, findZbarimg } from './decoders.js';

const qr = (args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}) =>
  runCliInProcess(['qr', ...args], options);

const directory = mkdtempSync(join(tmpdir(), 'qrlink-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('qrlink qr', () => {
  it('prints its help', async () => {
    const run = await qr(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toMatch(/^Usage: qrlink qr <text> \[options\]/);
    expect(run.stdout.toString()).toContain('--format svg|png|txt');
  });

  it.each([
    [['x', '--ecc', 'X'], 'qrlink qr: --ecc must be one of L, M, Q, H'],
    [['x', '--format', 'gif'], 'qrlink qr: --format must be one of svg, png, txt'],
    [['x', '--size', 'big'], 'qrlink qr: --size must be a positive integer (pixels)'],
    [['x', '--size', '0'], 'qrlink qr: --size must be a positive integer (pixels)'],
    [['x', '--margin=-1'], 'qrlink qr: --margin must be a whole number of modules (0 or more)'],
    [['x', '--margin', '500'], 'qrlink qr: margin must be an integer from 0 to 100 (got 500)'],
    [['x', '--fg', 'red'], 'qrlink qr: --fg must be a hex colour (#rgb, #rrggbb or #rrggbbaa)'],
    [
      ['x', '--fg', 'transparent'],
      'qrlink qr: --fg must be a hex colour (#rgb, #rrggbb or #rrggbbaa)',
    ],
    [
      ['x', '--bg', '#12'],
      'qrlink qr: --bg must be a hex colour (#rgb, #rrggbb or #rrggbbaa) or "transparent"',
    ],
    [['x', '--dpi', '3.5'], 'qrlink qr: --dpi must be a positive integer (dots per inch)'],
    [[], 'qrlink qr: missing <text> to encode (see --help)'],
    [
      ['a', 'b'],
      'qrlink qr: expected one <text> argument, got 2 (quote text that contains spaces)',
    ],
  ])('exits 2 on %j with a one-line message naming the option', async (args, message) => {
    const run = await qr(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${message}\n`);
    expect(run.stdout.length).toBe(0);
  });

  it('exits 2 on an unknown option, naming it and the options there are', async () => {
    const run = await qr(['x', '--colour', 'red']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'qrlink qr: unknown option --colour (options: --format, --ecc, --size, --margin, --fg, ' +
        '--bg, --dpi, --invert, -o/--output, -h/--help)\n',
    );
  });

  it.each([
    [['x', '--size', '-5'], 'qrlink qr: --size must be a positive integer (pixels)'],
    [['x', '--dpi', '-300'], 'qrlink qr: --dpi must be a positive integer (dots per inch)'],
    [['x', '--margin', '-1'], 'qrlink qr: --margin must be a whole number of modules (0 or more)'],
    [['x', '--size'], 'qrlink qr: option --size needs a value (PX)'],
    [['x', '--size', '--fg', '#000'], 'qrlink qr: option --size needs a value (PX)'],
    [['x', '--invert=yes'], 'qrlink qr: option --invert takes no value'],
  ])('says what the value of %j must be, not that it is ambiguous', async (args, message) => {
    const run = await qr(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${message}\n`);
  });

  it.each([['code.jpg'], ['code.SVG.bak'], ['code']])(
    'refuses -o %s whose extension names no format, unless --format says which',
    async (name) => {
      const file = join(directory, name);
      const refused = await qr(['x', '-o', file]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        `qrlink qr: cannot tell the format from "${file}": name it .svg, .png or .txt, or give --format\n`,
      );
      expect(existsSync(file)).toBe(false);

      const forced = await qr(['hello png', '-o', file, '--format', 'png', '--size', '200']);
      expect(forced.code).toBe(0);
      expect(decodeWithJsqr(readFileSync(file))).toBe('hello png');
    },
  );

  it('takes text that starts with a dash after --', async () => {
    const run = await qr(['--format', 'svg', '--', '-5']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toMatch(/^<svg /);
  });

  it('exits 1 with the reason when the text does not fit', async () => {
    const run = await qr(['x'.repeat(3000), '--ecc', 'L']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'qrlink qr: Data too long: 3,000 bytes in byte mode exceed the 2,953-byte capacity of version 40 at ECC L\n',
    );
  });

  it('writes SVG to a pipe and text to a terminal by default', async () => {
    const piped = await qr(['https://example.com']);
    expect(piped.code).toBe(0);
    expect(piped.stdout.toString()).toMatch(
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 33 33"/,
    );

    const terminal = await qr(['https://example.com'], { tty: true });
    expect(terminal.code).toBe(0);
    const lines = terminal.stdout.toString().split('\n');
    // Black on bright white, whatever the terminal's own colours are.
    expect(lines[0]).toBe(`\u001b[30;107m${' '.repeat(33)}\u001b[0m`);
    expect(terminal.stdout.toString()).toContain('█▀▀▀▀▀█');

    const noColour = await qr(['https://example.com'], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColour.stdout.toString()).not.toContain('\u001b');
    const inverted = await qr(['https://example.com', '--invert'], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(inverted.stdout.toString().split('\n')[0]).toBe('█'.repeat(33));
  });

  it('refuses to write a binary PNG to a terminal, but writes one to a pipe', async () => {
    const terminal = await qr(['hi', '--format', 'png'], { tty: true });
    expect(terminal.code).toBe(2);
    expect(terminal.stderr).toBe(
      'qrlink qr: refusing to write a binary PNG to the terminal; use -o FILE or redirect stdout\n',
    );
    const piped = await qr(['hello png', '--format', 'png', '--size', '200']);
    expect(piped.code).toBe(0);
    expect(decodeWithJsqr(piped.stdout)).toBe('hello png');
  });

  it('picks the format from the -o extension and applies the style', async () => {
    const svgFile = join(directory, 'code.svg');
    expect(
      (
        await qr([
          'styled',
          '-o',
          svgFile,
          '--fg',
          '#1a237e',
          '--bg',
          'transparent',
          '--size',
          '300',
        ])
      ).code,
    ).toBe(0);
    const svg = readFileSync(svgFile, 'utf8');
    expect(svg).toContain('width="300" height="300"');
    expect(svg).toContain('fill="#1a237e"');
    expect(svg).not.toContain('<rect');

    const textFile = join(directory, 'code.txt');
    expect((await qr(['plain text', '--output', textFile, '--margin', '1'])).code).toBe(0);
    expect(readFileSync(textFile, 'utf8')).not.toContain('\u001b');

    const forced = join(directory, 'forced.txt');
    expect((await qr(['x', '-o', forced, '--format', 'svg'])).code).toBe(0);
    expect(readFileSync(forced, 'utf8')).toMatch(/^<svg /);
  });

  it('prints scannability warnings to stderr and still writes the code', async () => {
    const run = await qr(['x', '--fg', '#777', '--bg', '#888', '--margin', '1']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^qrlink qr: warning: Low contrast: .*\nqrlink qr: warning: Quiet zone of 1 module: /,
    );
    expect(run.stdout.toString()).toMatch(/^<svg /);
  });

  it('reports a file it cannot write', async () => {
    const run = await qr(['x', '-o', join(directory, 'missing', 'dir', 'x.png')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^qrlink qr: cannot write .*x\.png: ENOENT/);
  });
});

const zbarimg = findZbarimg();
if (!zbarimg && !REQUIRE_SERVICES)
  console.warn('cli: zbarimg not found (Debian package zbar-tools), skipping its check');

describe.skipIf(!zbarimg && !REQUIRE_SERVICES)('qrlink qr -o x.png, read by zbarimg', () => {
  it('writes a PNG that zbarimg decodes', async () => {
    expect(
      zbarimg,
      'QRLINK_REQUIRE_SERVICES=1 but zbarimg is missing (apt-get install zbar-tools)',
    ).toBeDefined();
    const file = join(directory, 'x.png');
    const run = await qr(['https://example.com', '--format', 'png', '-o', file, '--dpi', '300']);
    expect(run.code).toBe(0);
    const decoded = spawnSync(zbarimg!, ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', file], {
      encoding: 'utf8',
    });
    expect(decoded.stdout).toBe('https://example.com\n');
  });
});
