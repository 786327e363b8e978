import type { EnrichedScan } from './enrich/index.js';

export type LiveListener = (event: EnrichedScan) => void;

/** Fans each stored scan out to the workspace's open live streams (this process's scans). */
export class LiveFeed {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  subscribe(workspaceId: string, listener: LiveListener): () => void {
    let set = this.listeners.get(workspaceId);
    if (!set) {
      set = new Set();
      this.listeners.set(workspaceId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(workspaceId);
    };
  }

  publish(events: readonly EnrichedScan[]): void {
    if (this.listeners.size === 0) return;
    for (const event of events) {
      const set = this.listeners.get(event.workspaceId);
      if (set) for (const listener of set) listener(event);
    }
  }

  get subscribers(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
