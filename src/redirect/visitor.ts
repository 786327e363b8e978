import type { IncomingMessage } from 'node:http';
import type { VisitorContext } from '../links/rules.js';
import { primaryLanguage } from '../shared/language.js';
import { parseUserAgent } from '../shared/user-agent.js';
import type { Browser, Device, Os } from '../links/rules.js';

export interface VisitorSources {
  country(ip: string, req: IncomingMessage): string | null;
  visitorBucket(linkId: string, ip: string, userAgent: string): number;
}

/**
 * The visitor as rules see it, computed lazily: most links have no rules, and a rule only pays
 * for what it tests (user-agent parsing is the expensive part).
 */
export class RequestVisitor implements VisitorContext {
  private ua: { device: Device; os: Os | null; browser: Browser | null } | undefined;
  private countryCode: string | null | undefined;
  private params: URLSearchParams | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly ip: string,
    private readonly search: string,
    private readonly linkId: string,
    private readonly time: number,
    private readonly scan: number,
    private readonly sources: VisitorSources,
  ) {}

  private agent() {
    this.ua ??= parseUserAgent(this.req.headers['user-agent'] ?? '');
    return this.ua;
  }
  device(): Device {
    return this.agent().device;
  }
  os(): Os | null {
    return this.agent().os;
  }
  browser(): Browser | null {
    return this.agent().browser;
  }
  country(): string | null {
    if (this.countryCode === undefined) this.countryCode = this.sources.country(this.ip, this.req);
    return this.countryCode;
  }
  language(): string | null {
    return primaryLanguage(this.req.headers['accept-language']);
  }
  now(): number {
    return this.time;
  }
  query(name: string): string | null {
    this.params ??= new URLSearchParams(this.search);
    return this.params.get(name);
  }
  referrerHost(): string | null {
    const referer = this.req.headers.referer;
    if (!referer) return null;
    try {
      return new URL(referer).hostname.toLowerCase() || null;
    } catch {
      return null;
    }
  }
  scanNumber(): number {
    return this.scan;
  }
  visitorBucket(): number {
    return this.sources.visitorBucket(this.linkId, this.ip, this.req.headers['user-agent'] ?? '');
  }
}
