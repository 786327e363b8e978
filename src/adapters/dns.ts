import { promises as dns } from 'node:dns';

/** TXT lookups for domain verification; the servers are configurable so tests use a local one. */
export interface TxtResolver {
  /** TXT records of a name; [] when the name or record does not exist. */
  resolveTxt(name: string): Promise<string[]>;
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'NXDOMAIN']);

export function dnsResolver(servers: readonly string[]): TxtResolver {
  const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return {
    async resolveTxt(name) {
      try {
        return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
      } catch (err) {
        if (ABSENT.has((err as NodeJS.ErrnoException).code ?? '')) return [];
        throw err;
      }
    },
  };
}
