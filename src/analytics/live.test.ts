import { describe, expect, it } from 'vitest';
import type { EnrichedScan } from './enrich/index.js';
import { LiveFeed } from './live.js';

const scan = (workspaceId: string, id: string) => ({ id, workspaceId }) as EnrichedScan;

function relayed(feed: LiveFeed) {
  const sent: string[][] = [];
  const announced: string[][] = [];
  feed.relayTo({
    send: (events) => sent.push(events.map((e) => e.id)),
    announce: (ids) => announced.push(ids),
  });
  return { sent, announced };
}

describe('LiveFeed', () => {
  it('delivers a scan to the streams of its workspace only', () => {
    const feed = new LiveFeed();
    const seen: string[] = [];
    const off = feed.subscribe('ws_a', (e) => seen.push(e.id));
    feed.publish([scan('ws_a', '1'), scan('ws_b', '2')]);
    off();
    feed.publish([scan('ws_a', '3')]);
    expect(seen).toEqual(['1']);
    expect(feed.subscribers).toBe(0);
  });

  it('announces which workspaces have streams here, on the first and after the last', () => {
    const feed = new LiveFeed();
    const { announced } = relayed(feed);
    const offA = feed.subscribe('ws_a', () => undefined);
    const offA2 = feed.subscribe('ws_a', () => undefined);
    const offB = feed.subscribe('ws_b', () => undefined);
    offA();
    offA2();
    offB();
    expect(announced).toEqual([[], ['ws_a'], ['ws_a', 'ws_b'], ['ws_b'], []]);
  });

  it('relays its own scans only for workspaces wanted elsewhere; relayed-in scans go no further', () => {
    const feed = new LiveFeed();
    const { sent } = relayed(feed);
    feed.publish([scan('ws_a', '1')]);
    feed.setWantedElsewhere(['ws_a']);
    feed.publish([scan('ws_a', '2'), scan('ws_b', '3')]);
    const seen: string[] = [];
    feed.subscribe('ws_b', (e) => seen.push(e.id));
    feed.deliver([scan('ws_b', '4'), scan('ws_a', '5')]);
    expect(sent).toEqual([['2']]);
    expect(seen).toEqual(['4']);
  });

  it('names as its audience the workspaces watched here, and elsewhere once relayed', () => {
    const feed = new LiveFeed();
    feed.subscribe('ws_a', () => undefined);
    feed.setWantedElsewhere(['ws_b']);
    expect(feed.audience()).toEqual(['ws_a']);
    relayed(feed);
    expect(feed.audience().sort()).toEqual(['ws_a', 'ws_b']);
  });
});
