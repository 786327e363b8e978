import { canonicalHost, type DestinationPolicy } from '../links/destination.js';

export interface DomainEntry {
  id: string;
  workspaceId: string;
  host: string;
  rootUrl: string | null;
  notFoundUrl: string | null;
}

export type HostMatch = { kind: 'default' } | { kind: 'custom'; domain: DomainEntry };

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]', '::1'];

/**
 * Which hosts this platform serves, in memory: the default short domain and every verified
 * custom domain. The redirect engine routes by it (RED-10) and link creation refuses
 * destinations on any of them (loops, RED-05). Kept current by the change feed.
 */
export class DomainDirectory {
  private readonly custom = new Map<string, DomainEntry>();
  private readonly defaultHosts: ReadonlySet<string>;
  private ownKeys: ReadonlySet<string> = new Set();
  readonly defaultHost: string;
  /** Cookies set on short-link domains carry Secure when the platform is served over https. */
  readonly secureCookies: boolean;
  /** Changes whenever the set of domains changes, so callers can drop memoized matches. */
  version = 0;
  /** What every link and domain destination is checked against: loops to these hosts, non-public hosts. */
  readonly destinations: DestinationPolicy;

  /**
   * `extraOwnHosts`: QRLINK_OWN_HOSTS, refused as destinations but not routed as domains;
   * `allowNonPublicDestinations`: QRLINK_ALLOW_PRIVATE_DESTINATIONS.
   */
  constructor(
    baseUrl: URL,
    private readonly extraOwnHosts: readonly string[] = [],
    allowNonPublicDestinations = false,
  ) {
    this.destinations = { ownHosts: this.isOwnHost, allowNonPublic: allowNonPublicDestinations };
    this.defaultHost = hostOnly(baseUrl.hostname);
    this.secureCookies = baseUrl.protocol === 'https:';
    const local = LOOPBACK.includes(baseUrl.hostname);
    this.defaultHosts = new Set([this.defaultHost, ...(local ? LOOPBACK : [])]);
    this.rebuildOwnKeys();
  }

  /** Routes a request's Host header value (port ignored, case-insensitive, trailing dot ok). */
  match(hostHeader: string | undefined): HostMatch | null {
    if (!hostHeader) return null;
    const host = hostOnly(hostHeader);
    if (this.defaultHosts.has(host)) return { kind: 'default' };
    const domain = this.custom.get(host);
    return domain ? { kind: 'custom', domain } : null;
  }

  /** For the destination check: takes `canonicalHost` keys (www-folded), as it passes them. */
  isOwnHost = (canonical: string): boolean => this.ownKeys.has(canonical);

  set(entry: DomainEntry): void {
    for (const [host, existing] of this.custom)
      if (existing.id === entry.id) this.custom.delete(host);
    this.custom.set(entry.host, entry);
    this.rebuildOwnKeys();
  }

  remove(id: string): void {
    for (const [host, existing] of this.custom) if (existing.id === id) this.custom.delete(host);
    this.rebuildOwnKeys();
  }

  private rebuildOwnKeys(): void {
    this.version++;
    this.ownKeys = new Set(
      [...this.defaultHosts, ...this.extraOwnHosts, ...this.custom.keys()]
        .map((host) => canonicalHost(host))
        .filter((key): key is string => key !== null),
    );
  }

  get size(): number {
    return this.custom.size;
  }
}

/** Lower-case host without port and trailing dot; brackets kept for IPv6 literals. */
export function hostOnly(hostHeader: string): string {
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
