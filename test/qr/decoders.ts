import { spawn, spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS whose typings declare an ES default export; under NodeNext that export
// is `.default` of the imported module object (which the runtime provides too).
const jsQR = jsQRModule.default;

/** Path of zbarimg (Debian zbar-tools), or undefined when it is not installed. */
export function findZbarimg(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v zbarimg'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/** CI sets QRLINK_REQUIRE_SERVICES=1: there a missing decoder fails instead of skipping. */
export const REQUIRE_SERVICES = process.env.QRLINK_REQUIRE_SERVICES === '1';

/**
 * Decodes a PNG with jsQR after decoding it to RGBA with pngjs. Returns jsQR's text (it
 * reads byte segments as UTF-8 and kanji segments through its own Shift_JIS table), or
 * null when it finds no symbol.
 */
export function decodeWithJsqr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const rgba = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(rgba, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

/**
 * Decodes PNG files with jsQR on a worker thread (the test runner gives this file one
 * core; jsQR is slow on large symbols). The worker is TypeScript, loaded through tsx.
 * Resolves to each file's text, or null where no symbol was found.
 */
export function decodeFilesWithJsqr(files: readonly string[]): Promise<(string | null)[]> {
  const workerUrl = new URL('./jsqr-worker.ts', import.meta.url).href;
  const loader = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(workerUrl)}, ${JSON.stringify(import.meta.url)}))`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(loader, { eval: true, workerData: { files } });
    worker.once('message', (texts: (string | null)[]) => {
      resolve(texts);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * Runs one zbarimg process over many PNG files and returns each file's decoded data.
 *
 * zbarimg prints the results of all files back to back with nothing in between in binary
 * mode (-Sbinary, raw segment bytes without charset conversion), so a separator symbol
 * is scanned between the files and the output is split on its text. In text mode
 * (`binary` false) zbarimg converts to UTF-8 as it sees fit (honouring ECI headers) and
 * ends each result with a newline.
 */
export function decodeWithZbarimg(
  zbarimg: string,
  files: readonly string[],
  separatorFile: string,
  binary: boolean,
): Promise<Buffer[]> {
  // Only QR: other symbologies find false positives in QR modules (an I2/5 code, say).
  const args = ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', ...(binary ? ['-Sbinary'] : [])];
  for (const file of files) args.push(file, separatorFile);
  return new Promise((resolve, reject) => {
    const child = spawn(zbarimg, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    // zbarimg exits non-zero when some image has no symbol; that shows up as a mismatch.
    child.on('close', () => {
      const output = Buffer.concat(chunks);
      const separator = Buffer.from(SEPARATOR_TEXT + (binary ? '' : '\n'));
      const results: Buffer[] = [];
      let start = 0;
      for (let at = output.indexOf(separator); at >= 0; at = output.indexOf(separator, start)) {
        const data = output.subarray(start, at);
        results.push(binary || data.length === 0 ? data : data.subarray(0, data.length - 1));
        start = at + separator.length;
      }
      resolve(results);
    });
  });
}

/** Text of the separator symbol; no generated payload contains it. */
export const SEPARATOR_TEXT = 'QRLINK-ROUND-TRIP-SEPARATOR-7F3A9C';
