import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeWithJsqr } from './decoders.js';

/** Worker side of decodeFilesWithJsqr: decodes the PNG files it is given, in order. */
const files = (workerData as { files: string[] }).files;
parentPort!.postMessage(files.map((file) => decodeWithJsqr(readFileSync(file))));
