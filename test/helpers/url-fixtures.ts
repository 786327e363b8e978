import { readFileSync } from 'node:fs';
import { canonicalHost, type DestinationPolicy } from '../../src/links/destination.js';

/** The own hosts the URL fixtures are written against (see the header of dangerous-urls.txt). */
export const FIXTURE_OWN_HOSTS = [
  'qr.example',
  'go.brand.example',
  'bücher.example',
  '127.0.0.1',
  '198.51.100.7',
  '[2001:db8::7]',
];

export function fixturePolicy(): DestinationPolicy {
  const own = new Set<string>();
  for (const host of FIXTURE_OWN_HOSTS) {
    const key = canonicalHost(host);
    if (key === null) throw new Error(`fixture own host ${host} is not a host`);
    own.add(key);
  }
  return { ownHosts: (host) => own.has(host) };
}

/** Decodes the fixture notation: \xHH, \u{H...} and \\ (a literal backslash). */
export function decodeEscapes(line: string): string {
  return line.replace(
    /\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|\\)/g,
    (_match, hex: string | undefined, codePoint: string | undefined) => {
      if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
      if (codePoint !== undefined) return String.fromCodePoint(parseInt(codePoint, 16));
      return '\\';
    },
  );
}

export interface FixtureLine {
  /** The `# heading` the line appears under. */
  section: string;
  text: string;
}

/** The payload lines of a fixture file, undecoded, with the section each one belongs to. */
export function readFixtureLines(name: string): FixtureLine[] {
  const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  const lines: FixtureLine[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) section = line.slice(1).trim();
    else if (line.length > 0) lines.push({ section, text: line });
  }
  return lines;
}
