import UAParser from 'ua-parser-js';
import type { Browser, Device, Os } from './rules-schema.js';

/**
 * User-agent classification for smart rules and analytics, on ua-parser-js 1.x (MIT), mapped to
 * the rules' enums. Known limits, inherent to the User-Agent header:
 * - iPadOS 13+ Safari asks for desktop sites by default and sends a Macintosh UA, so those iPads
 *   are `desktop`/`macos`; only iPads in mobile mode (or other iPad browsers) are `tablet`/`ios`.
 * - An Android UA without "Mobile" is a tablet (Chrome's convention); Opera Mini, which omits it
 *   on phones, is treated as mobile.
 * - Smart TVs, consoles and unknown clients count as `desktop`.
 */

export interface UserAgentInfo {
  readonly device: Device;
  readonly os: Os | null;
  /** Null only when there is no user agent at all. */
  readonly browser: Browser | null;
}

/** ua-parser-js reads at most this much; longer headers are cut before parsing and caching. */
const MAX_UA_LENGTH = 500;
/**
 * User agents repeat heavily, and a parse costs tens of microseconds. Two generations of up to
 * this many entries approximate an LRU without Map deletions (which cost more than the lookup):
 * a hit in the older generation is copied into the recent one, which replaces it when full.
 */
const CACHE_GENERATION_SIZE = 1000;
let recent = new Map<string, UserAgentInfo>();
let older = new Map<string, UserAgentInfo>();

const NO_USER_AGENT: UserAgentInfo = Object.freeze({ device: 'desktop', os: null, browser: null });

const LINUX_NAMES: ReadonlySet<string> = new Set([
  'linux',
  'ubuntu',
  'kubuntu',
  'xubuntu',
  'lubuntu',
  'debian',
  'fedora',
  'mint',
  'arch',
  'gentoo',
  'suse',
  'opensuse',
  'slackware',
  'mandriva',
  'centos',
  'redhat',
  'red hat',
  'manjaro',
  'deepin',
  'elementary os',
  'raspbian',
  'mageia',
  'pclinuxos',
  'zenwalk',
  'sabayon',
  'linspire',
  'linpus',
  'vectorlinux',
  'gnu',
]);

export function parseUserAgent(userAgent: string): UserAgentInfo {
  const ua = userAgent.length > MAX_UA_LENGTH ? userAgent.slice(0, MAX_UA_LENGTH) : userAgent;
  const cached = recent.get(ua);
  if (cached !== undefined) return cached;
  const info = older.get(ua) ?? classify(ua);
  if (recent.size >= CACHE_GENERATION_SIZE) {
    older = recent;
    recent = new Map();
  }
  recent.set(ua, info);
  return info;
}

function classify(ua: string): UserAgentInfo {
  if (ua.trim() === '') return NO_USER_AGENT;
  const result = UAParser(ua);
  const os = osFamily(result.os.name);
  return Object.freeze({
    device: deviceType(result.device.type, os, ua),
    os,
    browser: browserFamily(result.browser.name),
  });
}

function deviceType(type: string | undefined, os: Os | null, ua: string): Device {
  if (type === 'mobile' || type === 'wearable') return 'mobile';
  if (type === 'tablet') return 'tablet';
  if (type === undefined && os === 'android')
    return /mobi|opera mini/i.test(ua) ? 'mobile' : 'tablet';
  if (type === undefined && os === 'ios') return 'mobile';
  return 'desktop';
}

function osFamily(name: string | undefined): Os | null {
  if (name === undefined) return null;
  const lower = name.toLowerCase();
  if (lower === 'ios') return 'ios';
  if (lower.startsWith('android')) return 'android';
  if (lower.startsWith('windows')) return 'windows';
  if (lower === 'mac os' || lower === 'macos') return 'macos';
  if (lower === 'chromium os' || lower === 'chrome os') return 'chromeos';
  if (LINUX_NAMES.has(lower)) return 'linux';
  return null;
}

function browserFamily(name: string | undefined): Browser {
  if (name === undefined) return 'other';
  const lower = name.toLowerCase();
  if (lower.startsWith('chrome') || lower === 'chromium') return 'chrome';
  if (lower.includes('safari')) return 'safari';
  if (lower.includes('firefox')) return 'firefox';
  if (lower.startsWith('edge')) return 'edge';
  if (lower.startsWith('opera')) return 'opera';
  if (lower.startsWith('samsung')) return 'samsung';
  return 'other';
}

/** At most this many Accept-Language entries are read; browsers send a handful. */
const MAX_LANGUAGE_ENTRIES = 20;
const PRIMARY_SUBTAG = /^[a-z]{2,3}$/;

/**
 * The primary subtag (lower case) of the Accept-Language entry with the highest q-value; among
 * equal q-values the first listed wins (RFC 9110 order of preference). `*`, q=0 and malformed
 * entries are skipped. Null when nothing usable is present.
 */
export function primaryLanguage(acceptLanguage: string | undefined): string | null {
  if (acceptLanguage === undefined || acceptLanguage === '') return null;
  let best: string | null = null;
  let bestQ = 0;
  let start = 0;
  for (let entry = 0; entry < MAX_LANGUAGE_ENTRIES && start < acceptLanguage.length; entry++) {
    let end = acceptLanguage.indexOf(',', start);
    if (end < 0) end = acceptLanguage.length;
    const [range = '', ...params] = acceptLanguage.slice(start, end).split(';');
    start = end + 1;
    const primary = range.trim().split('-')[0]?.toLowerCase() ?? '';
    if (!PRIMARY_SUBTAG.test(primary)) continue;
    const q = qValue(params);
    if (q > bestQ) {
      best = primary;
      bestQ = q;
    }
  }
  return best;
}

function qValue(params: string[]): number {
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'q') continue;
    const q = Number(value.trim());
    return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
  }
  return 1;
}
