import { isIP } from 'node:net';
import { FixedWindows } from '../adapters/limiter.js';

/**
 * Enumeration throttle (RED-09). Short codes cannot be secrets (a scanner of random codes finds
 * live links at a predictable rate), so each client gets a budget of misses (unknown codes and
 * hosts) per window; past it, misses are answered 429 instead of 404 until the window ends.
 * Hits are not counted: valid-code traffic from the same address (a carrier NAT, an office)
 * keeps redirecting. Clients are IPv4 addresses or IPv6 /64 networks, which is what one
 * subscriber gets.
 */
export interface MissBudget {
  limit: number;
  windowMs: number;
}

export const DEFAULT_MISS_BUDGET: MissBudget = { limit: 60, windowMs: 60_000 };

export class MissThrottle {
  readonly #windows: FixedWindows;

  constructor(
    private readonly now: () => number,
    private readonly budget: MissBudget = DEFAULT_MISS_BUDGET,
    maxClients = 100_000,
  ) {
    this.#windows = new FixedWindows(now, maxClients);
  }

  /** Counts one miss; answers the seconds the client must wait when over budget, else 0. */
  miss(ip: string): number {
    const { limit, windowMs } = this.budget;
    const result = this.#windows.hit(clientKey(ip), limit, windowMs);
    return result.allowed ? 0 : Math.max(1, Math.ceil(result.resetMs / 1000));
  }
}

/** IPv4 addresses as they are; IPv6 addresses by their /64 network. */
export function clientKey(ip: string): string {
  if (isIP(ip) !== 6 || ip.startsWith('::ffff:')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros =
    tail === undefined
      ? []
      : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
