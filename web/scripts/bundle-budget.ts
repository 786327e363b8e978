/**
 * Run after `vite build`: the initial JavaScript of the dashboard (the entry chunk and every
 * chunk it imports statically, per Vite's manifest) must stay within the budget, gzipped.
 * Lazy chunks (analytics charts, the world map, …) are listed but not counted.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

export const INITIAL_JS_BUDGET_BYTES = 250_000;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

const distUrl = new URL('../dist/', import.meta.url);
const manifest = JSON.parse(
  await readFile(new URL('.vite/manifest.json', distUrl), 'utf8'),
) as Record<string, ManifestChunk>;

async function gzippedSize(file: string): Promise<number> {
  return gzipSync(await readFile(new URL(file, distUrl)), { level: 9 }).length;
}

const initial = new Set<string>();
const visit = (key: string): void => {
  if (initial.has(key)) return;
  initial.add(key);
  for (const next of manifest[key]?.imports ?? []) visit(next);
};
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
let initialBytes = 0;
for (const key of initial) {
  const file = manifest[key]?.file;
  if (file?.endsWith('.js')) initialBytes += await gzippedSize(file);
}
const lazy = Object.entries(manifest).filter(
  ([key, chunk]) => !initial.has(key) && chunk.file.endsWith('.js'),
);
for (const [, chunk] of lazy)
  console.log(`  lazy ${chunk.file}: ${kB(await gzippedSize(chunk.file))}`);
console.log(
  `initial JavaScript: ${kB(initialBytes)} gzipped (budget ${kB(INITIAL_JS_BUDGET_BYTES)})`,
);
if (initialBytes > INITIAL_JS_BUDGET_BYTES) {
  console.error('over the initial JavaScript budget: lazy-load what the first page does not need');
  process.exit(1);
}
