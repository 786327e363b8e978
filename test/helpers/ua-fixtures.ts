import { readFileSync } from 'node:fs';

/** Lines of test/fixtures/ua/<name>, without '#' comments and blank lines. */
export function readUaFixture(name: 'bots.txt' | 'browsers.txt'): string[] {
  const text = readFileSync(new URL(`../fixtures/ua/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
