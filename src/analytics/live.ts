import type { EnrichedScan } from './enrich/index.js';

export type LiveListener = (event: EnrichedScan) => void;

/** How a feed reaches the other processes of one server (`serve --workers N`). */
export interface LiveRelay {
  /** Hands this process's scans to the processes that have streams open for them. */
  send(events: EnrichedScan[]): void;
  /** Tells the other processes which workspaces have streams open here (after each change). */
  announce(workspaceIds: string[]): void;
}

/**
 * Fans each stored scan out to the workspace's open live streams. Within one process that is
 * all; with a relay, scans are also handed to the other processes, but only for workspaces
 * that have a stream open there, so an idle live view costs nothing.
 */
export class LiveFeed {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private relay: LiveRelay | null = null;
  private wantedElsewhere = new Set<string>();

  subscribe(workspaceId: string, listener: LiveListener): () => void {
    let set = this.listeners.get(workspaceId);
    if (!set) {
      set = new Set();
      this.listeners.set(workspaceId, set);
      this.announce();
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(workspaceId) === set) {
        this.listeners.delete(workspaceId);
        this.announce();
      }
    };
  }

  /** Scans stored by this process. */
  publish(events: readonly EnrichedScan[]): void {
    this.deliver(events);
    if (this.relay && this.wantedElsewhere.size > 0) {
      const wanted = events.filter((e) => this.wantedElsewhere.has(e.workspaceId));
      if (wanted.length > 0) this.relay.send(wanted);
    }
  }

  /** Scans from any process, to this process's streams only. */
  deliver(events: readonly EnrichedScan[]): void {
    if (this.listeners.size === 0) return;
    for (const event of events) {
      const set = this.listeners.get(event.workspaceId);
      if (set) for (const listener of set) listener(event);
    }
  }

  relayTo(relay: LiveRelay): void {
    this.relay = relay;
    this.announce();
  }

  /** The workspaces with a stream open in another process. */
  setWantedElsewhere(workspaceIds: Iterable<string>): void {
    this.wantedElsewhere = new Set(workspaceIds);
  }

  /** The workspaces whose scans someone watches: here, or in another process through the relay. */
  audience(): string[] {
    const watched = new Set(this.listeners.keys());
    if (this.relay) for (const id of this.wantedElsewhere) watched.add(id);
    return [...watched];
  }

  get subscribers(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  private announce(): void {
    this.relay?.announce([...this.listeners.keys()]);
  }
}
