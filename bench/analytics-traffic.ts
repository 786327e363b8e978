import type { RawScan } from '../src/redirect/queue.js';
import { uuidv7 } from '../src/shared/ids.js';
import { seededRandom } from '../test/helpers/random.js';
import { readUaFixture } from '../test/helpers/ua-fixtures.js';

/**
 * Synthetic but realistic scan traffic for the analytics benchmark, deterministic per seed:
 * Zipf link popularity, countries from random public IPs (the geo database decides), real
 * browser and bot user agents, ~5 % bot-class requests (crawlers, unfurlers, HEAD, prefetch),
 * repeat visitors, QR vs link per link, referrers on link clicks, A/B variants on some links,
 * times spread evenly and in order over the given span (a writer drains in arrival order).
 */

export interface BenchLink {
  id: string;
  code: string;
  workspaceId: string;
  qrShare: number;
  rule: 'none' | 'ab' | 'rules';
  status: number;
}

/** Cumulative Zipf(s) weights over n ranks, for sampling rank i with probability ∝ 1/(i+1)^s. */
function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  for (let i = 0; i < n; i++) cdf[i] = (cdf[i] as number) / sum;
  return cdf;
}

function sampleCdf(cdf: Float64Array, r: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cdf[mid] as number) < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const LANGUAGES = [
  ['en-US,en;q=0.9', 30],
  ['en-GB,en;q=0.9', 6],
  ['de-DE,de;q=0.9,en;q=0.8', 8],
  ['fr-FR,fr;q=0.9,en;q=0.7', 6],
  ['es-ES,es;q=0.9', 6],
  ['pt-BR,pt;q=0.9,en;q=0.6', 5],
  ['ja,en-US;q=0.8', 5],
  ['zh-CN,zh;q=0.9', 6],
  ['it-IT,it;q=0.9', 3],
  ['nl-NL,nl;q=0.9,en;q=0.8', 2],
  ['ru-RU,ru;q=0.9', 3],
  ['ko-KR,ko;q=0.9', 2],
  ['pl-PL,pl;q=0.9', 2],
  ['tr-TR,tr;q=0.9', 2],
  ['hi-IN,hi;q=0.9,en;q=0.8', 2],
  ['sv-SE,sv;q=0.9', 1],
  ['', 3],
] as const;

const REFERRERS = [
  'https://www.google.com/',
  'https://www.google.de/',
  'https://t.co/a1b2c3d4',
  'https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com',
  'https://lm.facebook.com/',
  'https://www.instagram.com/',
  'https://www.linkedin.com/feed/',
  'https://www.reddit.com/r/programming/comments/abc/',
  'https://news.ycombinator.com/item?id=1',
  'android-app://com.google.android.gm/',
  'https://mail.google.com/mail/u/0/',
  'https://outlook.live.com/mail/0/inbox',
  'https://www.bing.com/search?q=qr',
  'https://duckduckgo.com/',
  'https://www.youtube.com/',
  'https://web.whatsapp.com/',
  'https://teams.microsoft.com/',
  'https://slack.com/',
  'https://www.tiktok.com/',
  'https://example-blog.net/2026/11/post',
];

/** Prefixes of well-populated IPv6 space (RIR blocks); the host part is random. */
const IPV6_PREFIXES = ['2a02', '2a01', '2600', '2601', '2400', '2405', '2804', '2001:4860'];

interface Visitor {
  ip: string;
  userAgent: string;
  acceptLanguage: string;
  dnt: string;
}

export interface TrafficOptions {
  links: readonly BenchLink[];
  events: number;
  start: number;
  spanMs: number;
  seed?: number;
  /** Share of bot-class requests (crawlers, unfurlers, HEAD, prefetch). */
  botShare?: number;
  /** Share of human scans by a visitor seen shortly before. */
  repeatShare?: number;
  zipf?: number;
}

export function trafficGenerator(options: TrafficOptions) {
  const random = seededRandom(options.seed ?? 42);
  const browsers = readUaFixture('browsers.txt');
  const bots = readUaFixture('bots.txt');
  const linkCdf = zipfCdf(options.links.length, options.zipf ?? 1);
  const languageCdf = zipfCdfOf(LANGUAGES.map(([, w]) => w));
  const botShare = options.botShare ?? 0.05;
  const repeatShare = options.repeatShare ?? 0.35;
  const recent: Visitor[] = [];
  const RECENT = 50_000;
  let produced = 0;

  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  function publicIpv4(): string {
    for (;;) {
      const a = 1 + Math.floor(random() * 223);
      if (a === 10 || a === 127 || a === 100 || a === 169 || a === 172 || a === 192) continue;
      const b = Math.floor(random() * 256);
      const c = Math.floor(random() * 256);
      return `${a}.${b}.${c}.${1 + Math.floor(random() * 254)}`;
    }
  }

  function ip(): string {
    if (random() < 0.12) {
      const hex = () => Math.floor(random() * 0x10000).toString(16);
      const prefix = pick(IPV6_PREFIXES);
      const groups = prefix.split(':').length;
      return [prefix, ...Array.from({ length: 8 - groups }, hex)].join(':');
    }
    return publicIpv4();
  }

  function newVisitor(): Visitor {
    const language = LANGUAGES[sampleCdf(languageCdf, random())]?.[0] ?? '';
    return {
      ip: ip(),
      userAgent: pick(browsers),
      acceptLanguage: language,
      dnt: random() < 0.04 ? '1' : '',
    };
  }

  function human(): Visitor {
    if (recent.length > 100 && random() < repeatShare) return pick(recent);
    const visitor = newVisitor();
    if (recent.length < RECENT) recent.push(visitor);
    else recent[Math.floor(random() * RECENT)] = visitor;
    return visitor;
  }

  function scan(link: BenchLink, time: number): RawScan {
    const via = random() < link.qrShare ? 'qr' : 'link';
    let ruleIndex: number | null = null;
    let variantIndex: number | null = null;
    if (link.rule === 'ab') {
      ruleIndex = 0;
      variantIndex = random() < 0.5 ? 0 : 1;
    } else if (link.rule === 'rules' && random() < 0.4) {
      ruleIndex = random() < 0.7 ? 0 : 1;
    }
    let method = 'GET';
    let visitor: Visitor;
    let referer = (via === 'link' ? random() < 0.7 : random() < 0.05) ? pick(REFERRERS) : '';
    let secPurpose = '';
    if (random() < botShare) {
      const kind = random();
      if (kind < 0.15) {
        // A browser prefetching the page (speculation rules, link previews in the address bar).
        visitor = newVisitor();
        secPurpose = 'prefetch;prerender';
      } else {
        // Crawlers, unfurlers, scanners and scripts; a fifth of them only send HEAD.
        visitor = { ip: ip(), userAgent: pick(bots), acceptLanguage: '', dnt: '' };
        if (kind < 0.3) method = 'HEAD';
        referer = '';
      }
    } else {
      visitor = human();
    }
    // One object literal, the shape the redirect handler builds (src/redirect/handler.ts).
    return {
      id: uuidv7(time),
      time,
      linkId: link.id,
      workspaceId: link.workspaceId,
      domain: '',
      code: link.code,
      via,
      ruleIndex,
      variantIndex,
      status: link.status,
      method,
      ip: visitor.ip,
      userAgent: visitor.userAgent,
      acceptLanguage: visitor.acceptLanguage,
      referer,
      secPurpose,
      purpose: '',
      dnt: visitor.dnt,
      secGpc: '',
    };
  }

  return {
    get produced() {
      return produced;
    },
    /** The next `n` scans (fewer at the end), in time order. */
    next(n: number): RawScan[] {
      const out: RawScan[] = [];
      const end = Math.min(options.events, produced + n);
      for (; produced < end; produced++) {
        const time = options.start + Math.floor((produced * options.spanMs) / options.events);
        const link = options.links[sampleCdf(linkCdf, random())] as BenchLink;
        out.push(scan(link, time));
      }
      return out;
    },
  };
}

function zipfCdfOf(weights: readonly number[]): Float64Array {
  const cdf = new Float64Array(weights.length);
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  weights.forEach((w, i) => (cdf[i] = sum += w / total));
  return cdf;
}
