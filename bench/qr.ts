/**
 * QR encode and render benchmark (npm run bench:qr): qrlink against node-qrcode,
 * qrcode-generator, @paulmillr/qr and uqr, in one warm process, on the same payloads, at
 * ECC level M. Prints µs per operation and each contender's time relative to qrlink.
 *
 * Method: every operation is warmed up first; then rounds of ~40 ms batches run with the
 * contenders interleaved, so that load from other processes hits them alike, and the best
 * round counts (the run least disturbed by anything but the code itself). Time is the
 * process's CPU time (user + system, all threads), not wall time: on a shared machine a
 * batch that waits for a core would otherwise count the wait. On an idle machine the two
 * agree for this single-threaded work; QRLINK_BENCH_CLOCK=wall measures wall time.
 * QRLINK_BENCH_ROUNDS sets the number of rounds (default 30).
 */
import { availableParallelism, loadavg } from 'node:os';
import { encodeQR } from '@paulmillr/qr';
import QRCode from 'qrcode';
import qrcodeGenerator from 'qrcode-generator';
import { encode as uqrEncode, renderSVG as uqrSvg } from 'uqr';
import { encode, toPng, toSvg } from '../src/qr/index.js';

const PAYLOADS = {
  'URL (31 chars)': 'https://qrl.ink/p/Ab3dE7?src=qr',
  'text (300 chars)':
    'Thank you for visiting the Riverside Farmers Market! Open every Saturday 8am-1pm at ' +
    '42 Mill Street. Fresh produce, local honey, cheese and bread from over 60 growers. ' +
    'Bring your own bags; cards and cash accepted. Questions or stall bookings: call ' +
    '555-0142 or email hello@riverside.example. See you soon!!',
} as const;

type Operation = 'encode' | 'encode + SVG' | 'encode + PNG 256 px';
const OPERATIONS: readonly Operation[] = ['encode', 'encode + SVG', 'encode + PNG 256 px'];

interface Contender {
  name: string;
  /** One operation on a text, or a reason it cannot be measured. */
  run: Record<Operation, ((text: string) => unknown) | string>;
}

/** @paulmillr/qr and uqr take a module scale, not a pixel size: the one closest to 256 px. */
function scaleFor256(modulesAcross: number): number {
  return Math.max(1, Math.floor(256 / modulesAcross));
}

const CONTENDERS: Contender[] = [
  {
    name: 'qrlink',
    run: {
      encode: (text) => encode(text, { boostEcc: false }),
      'encode + SVG': (text) => toSvg(encode(text, { boostEcc: false })),
      'encode + PNG 256 px': (text) => toPng(encode(text, { boostEcc: false }), { size: 256 }),
    },
  },
  {
    name: 'node-qrcode',
    run: {
      encode: (text) => QRCode.create(text, { errorCorrectionLevel: 'M' }),
      'encode + SVG': (text) => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M' }),
      'encode + PNG 256 px': (text) =>
        QRCode.toBuffer(text, { width: 256, errorCorrectionLevel: 'M' }),
    },
  },
  {
    name: 'qrcode-generator',
    run: {
      encode: (text) => {
        const qr = qrcodeGenerator(0, 'M');
        qr.addData(text);
        qr.make();
        return qr;
      },
      'encode + SVG': (text) => {
        const qr = qrcodeGenerator(0, 'M');
        qr.addData(text);
        qr.make();
        return qr.createSvgTag({ cellSize: 1, margin: 4, scalable: true });
      },
      // No PNG writer; its image output is a GIF data: URL (base64).
      'encode + PNG 256 px': (text) => {
        const qr = qrcodeGenerator(0, 'M');
        qr.addData(text);
        qr.make();
        return qr.createDataURL(
          scaleFor256(qr.getModuleCount() + 8),
          4 * scaleFor256(qr.getModuleCount() + 8),
        );
      },
    },
  },
  {
    name: '@paulmillr/qr',
    run: {
      encode: (text) => encodeQR(text, 'raw', { ecc: 'medium' }),
      'encode + SVG': (text) => encodeQR(text, 'svg', { ecc: 'medium', border: 4 }),
      // No PNG writer; its image output is GIF (bytes).
      'encode + PNG 256 px': (text) => {
        const modules = encodeQR(text, 'raw', { ecc: 'medium' }).length;
        return encodeQR(text, 'gif', { ecc: 'medium', border: 4, scale: scaleFor256(modules + 8) });
      },
    },
  },
  {
    name: 'uqr',
    run: {
      encode: (text) => uqrEncode(text, { ecc: 'M', boostEcc: false }),
      'encode + SVG': (text) => uqrSvg(text, { ecc: 'M', boostEcc: false, border: 4 }),
      'encode + PNG 256 px': 'n/a: no raster output (SVG, Unicode and ANSI only)',
    },
  },
];

const WALL_CLOCK = process.env.QRLINK_BENCH_CLOCK === 'wall';

/** Microseconds on the chosen clock since an arbitrary origin. */
function now(): number {
  if (WALL_CLOCK) return Number(process.hrtime.bigint()) / 1000;
  const used = process.cpuUsage();
  return used.user + used.system;
}

/** Runs `op` `iterations` times; returns the mean µs per call. */
async function timeBatch(
  op: (text: string) => unknown,
  text: string,
  iterations: number,
): Promise<number> {
  const start = now();
  for (let i = 0; i < iterations; i++) {
    const result = op(text);
    // node-qrcode's string and buffer outputs are promises: wait for each, as a server would.
    if (result instanceof Promise) await result;
  }
  return (now() - start) / iterations;
}

/** Iterations that take about `ms` milliseconds, found after a warm-up. */
async function calibrate(op: (text: string) => unknown, text: string, ms: number): Promise<number> {
  let iterations = 8;
  for (;;) {
    const perCall = await timeBatch(op, text, iterations);
    if (perCall * iterations >= ms * 1000) return Math.max(1, Math.round((ms * 1000) / perCall));
    iterations *= 2;
  }
}

const ROUNDS = Number(process.env.QRLINK_BENCH_ROUNDS ?? 30);
const BATCH_MS = 40;

interface Cell {
  us: number;
  note?: string;
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}; ${WALL_CLOCK ? 'wall' : 'CPU'} time, best of ${ROUNDS} rounds of ~${BATCH_MS} ms batches\n`,
  );
  for (const [payloadName, text] of Object.entries(PAYLOADS)) {
    const versions = `qrlink v${encode(text, { boostEcc: false }).version}, node-qrcode v${QRCode.create(text, { errorCorrectionLevel: 'M' }).version}`;
    console.log(`### ${payloadName}: ${versions}\n`);
    console.log(`| operation | ${CONTENDERS.map((c) => c.name).join(' | ')} |`);
    console.log(`| --- | ${CONTENDERS.map(() => '---:').join(' | ')} |`);
    for (const operation of OPERATIONS) {
      const iterations = new Map<string, number>();
      const best = new Map<string, number>();
      for (const contender of CONTENDERS) {
        const op = contender.run[operation];
        if (typeof op !== 'function') continue;
        await calibrate(op, text, 200); // warm-up
        iterations.set(contender.name, await calibrate(op, text, BATCH_MS));
        best.set(contender.name, Infinity);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const contender of CONTENDERS) {
          const op = contender.run[operation];
          if (typeof op !== 'function') continue;
          const us = await timeBatch(op, text, iterations.get(contender.name)!);
          best.set(contender.name, Math.min(best.get(contender.name)!, us));
        }
      }
      const ours = best.get('qrlink')!;
      const cells: Cell[] = CONTENDERS.map((contender) => {
        const op = contender.run[operation];
        return typeof op === 'function' ? { us: best.get(contender.name)! } : { us: NaN, note: op };
      });
      const format = (cell: Cell, i: number): string => {
        if (cell.note) return cell.note;
        const us = cell.us < 100 ? cell.us.toFixed(1) : cell.us.toFixed(0);
        return i === 0 ? `${us} µs` : `${us} µs (${(cell.us / ours).toFixed(1)}×)`;
      };
      console.log(`| ${operation} | ${cells.map(format).join(' | ')} |`);
    }
    console.log('');
  }
  console.log(
    'Ratios are the contender\'s time over qrlink\'s. "PNG 256 px" is GIF for qrcode-generator ' +
      '(a base64 data: URL) and @paulmillr/qr, which write no PNG.',
  );
}

await main();
