import type { CachedLink } from './compiled-link.js';

/** How the cache reads the store on a miss; an error means "unknown", never "not found". */
export interface LinkSource {
  byKey(domain: string, codeKey: string): Promise<CachedLink | null>;
}

export type Lookup =
  | { kind: 'hit'; link: CachedLink }
  | { kind: 'miss' }
  | { kind: 'pending'; promise: Promise<CachedLink | null> };

/**
 * Active links in memory, keyed by (domain, upper-cased code) (RED-10). A miss is read from
 * the store once per key at a time (single flight) and a "not found" is remembered briefly,
 * so a flood of random codes reaches the database once per code per TTL. Store errors are
 * never cached (RED-13).
 */
export class LinkCache {
  private readonly domains = new Map<string, Map<string, CachedLink>>();
  private readonly byId = new Map<string, CachedLink>();
  private readonly absent = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<CachedLink | null>>();
  misses = 0;

  constructor(
    private readonly source: LinkSource,
    private readonly now: () => number,
    private readonly absentTtlMs = 10_000,
    private readonly maxAbsent = 100_000,
  ) {}

  /** Synchronous on a hit, so the hot path does not pay for a promise. */
  lookup(domain: string, codeKey: string): Lookup {
    const link = this.domains.get(domain)?.get(codeKey);
    if (link) return { kind: 'hit', link };
    const key = domain + '\n' + codeKey;
    const absentUntil = this.absent.get(key);
    if (absentUntil !== undefined) {
      if (absentUntil > this.now()) return { kind: 'miss' };
      this.absent.delete(key);
    }
    let promise = this.inflight.get(key);
    if (!promise) {
      this.misses++;
      promise = this.source.byKey(domain, codeKey).then(
        (found) => {
          this.inflight.delete(key);
          if (found) this.set(found);
          else this.rememberAbsent(key);
          return found;
        },
        (err: unknown) => {
          this.inflight.delete(key);
          throw err;
        },
      );
      this.inflight.set(key, promise);
    }
    return { kind: 'pending', promise };
  }

  set(link: CachedLink): void {
    this.delete(link.id);
    let codes = this.domains.get(link.domain);
    if (!codes) {
      codes = new Map();
      this.domains.set(link.domain, codes);
    }
    codes.set(link.codeKey, link);
    this.byId.set(link.id, link);
    this.absent.delete(link.domain + '\n' + link.codeKey);
  }

  get(id: string): CachedLink | undefined {
    return this.byId.get(id);
  }

  delete(id: string): void {
    const existing = this.byId.get(id);
    if (!existing) return;
    this.byId.delete(id);
    this.domains.get(existing.domain)?.delete(existing.codeKey);
  }

  private rememberAbsent(key: string): void {
    if (this.absent.size >= this.maxAbsent) {
      // Drop the oldest tenth (insertion order) rather than grow without bound.
      let drop = Math.ceil(this.maxAbsent / 10);
      for (const old of this.absent.keys()) {
        this.absent.delete(old);
        if (--drop === 0) break;
      }
    }
    this.absent.set(key, this.now() + this.absentTtlMs);
  }

  get size(): number {
    return this.byId.size;
  }
}
