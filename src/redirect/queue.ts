/** What the redirect knows about one answered request; enriched and stored off the hot path. */
export interface RawScan {
  id: string;
  time: number;
  linkId: string;
  workspaceId: string;
  /** '' for the default short domain. */
  domain: string;
  code: string;
  via: 'qr' | 'link';
  ruleIndex: number | null;
  variantIndex: number | null;
  status: number;
  /** The hot path's human/bot guess where the link's scan count needed it, else null. */
  human: boolean | null;
  method: string;
  ip: string;
  userAgent: string;
  acceptLanguage: string;
  referer: string;
  secPurpose: string;
  purpose: string;
  dnt: string;
  secGpc: string;
}

/**
 * Bounded FIFO between the redirect and the analytics writer. `push` never blocks and never
 * allocates beyond the fixed ring: when full, the event is dropped and counted (ANA-01).
 */
export class EventQueue<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private length = 0;
  dropped = 0;
  accepted = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<T | undefined>(capacity);
  }

  push(item: T): boolean {
    if (this.length === this.capacity) {
      this.dropped++;
      return false;
    }
    this.ring[(this.head + this.length) % this.capacity] = item;
    this.length++;
    this.accepted++;
    return true;
  }

  /** Removes and returns up to `max` items, oldest first. */
  drain(max: number): T[] {
    const n = Math.min(max, this.length);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.ring[this.head] as T;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.length -= n;
    return out;
  }

  get size(): number {
    return this.length;
  }
}
