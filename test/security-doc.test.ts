import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Target IDs cited in code and tests resolve to docs/security.md, and every test that page
 * names as a proof still exists: the references cannot drift apart silently.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = 'docs/security.md';
const CITED_IN = ['src', 'test', 'bench', 'web/src', 'docs', 'README.md', 'BENCHMARKS.md'];
/** `RED-15`, and the shorthand `RL-01/02` for RL-01 and RL-02. */
const CITATION = /\b(ABU|ACC|ANA|BIL|FLT|PRV|RED|RL)-(\d{2})((?:\/\d{2})*)\b/g;

function files(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return /\.(ts|tsx|md|txt)$/.test(entry) ? [entry] : [];
  return readdirSync(full).flatMap((name) =>
    name === 'node_modules' || name === 'dist' ? [] : files(path.join(entry, name)),
  );
}

function citedIds(): Map<string, string> {
  const firstSeen = new Map<string, string>();
  for (const file of CITED_IN.flatMap(files)) {
    if (file === DOC) continue;
    for (const m of readFileSync(path.join(ROOT, file), 'utf8').matchAll(CITATION)) {
      const numbers = [m[2] as string, ...(m[3] as string).split('/').filter(Boolean)];
      for (const n of numbers) {
        const id = `${m[1] as string}-${n}`;
        if (!firstSeen.has(id)) firstSeen.set(id, file);
      }
    }
  }
  return firstSeen;
}

interface Entry {
  id: string;
  proofs: { file: string; title: string }[];
}

function documentedTargets(): Entry[] {
  const text = readFileSync(path.join(ROOT, DOC), 'utf8');
  return text
    .split(/^### /m)
    .slice(1)
    .map((section) => ({
      id: (/^([A-Z]+-\d{2}) —/.exec(section)?.[1] ?? section.split('\n')[0]) as string,
      proofs: [...section.matchAll(/^- `([^`]+)` › "([^"]+)"$/gm)].map((m) => ({
        file: m[1] as string,
        title: m[2] as string,
      })),
    }));
}

describe(`target IDs and ${DOC}`, () => {
  const entries = documentedTargets();

  it('documents every target ID the code and tests cite', () => {
    const documented = new Set(entries.map((e) => e.id));
    const missing = [...citedIds()]
      .filter(([id]) => !documented.has(id))
      .map(([id, file]) => `${id} (cited in ${file})`);
    expect(missing).toEqual([]);
    expect(documented.size).toBeGreaterThanOrEqual(40);
  });

  it('names, for every target, tests that exist', () => {
    const broken: string[] = [];
    for (const entry of entries) {
      if (entry.proofs.length === 0) broken.push(`${entry.id}: no test named`);
      for (const proof of entry.proofs) {
        const file = path.join(ROOT, proof.file);
        if (!/\.test\.ts$/.test(proof.file) || !existsSync(file)) {
          broken.push(`${entry.id}: ${proof.file} is not a test file`);
        } else if (!readFileSync(file, 'utf8').includes(proof.title)) {
          broken.push(`${entry.id}: ${proof.file} has no test titled "${proof.title}"`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
