import { BlockList, isIP } from 'node:net';

/**
 * The client address: the socket peer, unless that peer is a configured trusted proxy, in
 * which case X-Forwarded-For is walked from the right, skipping trusted hops (RED-10).
 */
export function clientIpResolver(trustedProxies: readonly string[]) {
  if (trustedProxies.length === 0) return (peer: string) => stripMapped(peer);
  const isTrusted = trustedProxyCheck(trustedProxies);
  return (peer: string, forwardedFor: string | string[] | undefined): string => {
    let client = stripMapped(peer);
    if (!isTrusted(client) || !forwardedFor) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => stripMapped(hop.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (isIP(hop) === 0) break;
      client = hop;
      if (!isTrusted(hop)) break;
    }
    return client;
  };
}

/** Whether an address (socket peer or forwarded hop) is one of the configured proxy CIDRs. */
export function trustedProxyCheck(trustedProxies: readonly string[]): (ip: string) => boolean {
  if (trustedProxies.length === 0) return () => false;
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const bits = prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix);
    trusted.addSubnet(address, bits, family);
  }
  return (ip: string) => {
    const plain = stripMapped(ip);
    const family = isIP(plain);
    return family !== 0 && trusted.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

function stripMapped(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
