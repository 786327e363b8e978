import UAParser from 'ua-parser-js';
import { BoundedCache } from './bounded-cache.js';

// The same enums as the smart-rule parser (src/links/user-agent.ts) so the two can merge.
export type DeviceType = 'mobile' | 'tablet' | 'desktop';
export type OsName = 'ios' | 'android' | 'windows' | 'macos' | 'linux' | 'chromeos';
export type BrowserName = 'chrome' | 'safari' | 'firefox' | 'edge' | 'opera' | 'samsung' | 'other';

export interface UserAgentInfo {
  device: DeviceType;
  os: OsName | null;
  browser: BrowserName | null;
}

/** ua-parser-js 1.x reads only this many characters, so longer strings share a cache entry. */
const PARSED_PREFIX_LENGTH = 500;
const CACHE_ENTRIES = 10_000;

const infoCache = new BoundedCache<string, UserAgentInfo>(CACHE_ENTRIES);

/**
 * Device type, OS family and browser family of a user agent (ua-parser-js 1.x, MIT), memoised.
 * Limits of user agents themselves: iPadOS 13+ Safari sends a Mac UA by default, so those
 * iPads read as desktop/macos; Chrome's reduced UA hides Android models ("K") but keeps the
 * "Mobile" token, which is what tells phones from tablets.
 */
export function parseUserAgent(userAgent: string | undefined): UserAgentInfo {
  const key = (userAgent ?? '').slice(0, PARSED_PREFIX_LENGTH);
  return infoCache.getOrCompute(key, parseUncached);
}

function parseUncached(ua: string): UserAgentInfo {
  const result = new UAParser(ua).getResult();
  const os = osFamily(result.os.name);
  return {
    device: deviceType(result.device.type, os, ua),
    os,
    browser: browserFamily(result.browser.name),
  };
}

const MOBILE_DEVICE_TYPES = new Set(['mobile', 'wearable']);

function deviceType(parsedType: string | undefined, os: OsName | null, ua: string): DeviceType {
  if (parsedType !== undefined) {
    if (MOBILE_DEVICE_TYPES.has(parsedType)) return 'mobile';
    if (parsedType === 'tablet') return 'tablet';
    // Smart TVs, consoles, headsets: none is a phone or tablet, and the enum has no other slot.
    return 'desktop';
  }
  // Android browsers mark phones with "Mobile" (Google's own convention); tablets omit it.
  if (os === 'android') return /mobile|opera mini/i.test(ua) ? 'mobile' : 'tablet';
  return 'desktop';
}

const LINUX_DISTRIBUTIONS = new Set([
  'linux',
  'ubuntu',
  'kubuntu',
  'xubuntu',
  'lubuntu',
  'debian',
  'mint',
  'fedora',
  'arch',
  'manjaro',
  'gentoo',
  'slackware',
  'suse',
  'opensuse',
  'centos',
  'red hat',
  'redhat',
  'mandriva',
  'mageia',
  'pclinuxos',
  'deepin',
  'elementary os',
  'raspbian',
  'sabayon',
  'zenwalk',
  'linpus',
  'linspire',
  'vectorlinux',
]);

function osFamily(name: string | undefined): OsName | null {
  if (name === undefined) return null;
  const lower = name.toLowerCase();
  switch (lower) {
    case 'ios':
      return 'ios';
    case 'android':
      return 'android';
    case 'windows':
      return 'windows';
    case 'mac os':
    case 'macos':
      return 'macos';
    case 'chromium os':
    case 'chrome os':
      return 'chromeos';
  }
  return LINUX_DISTRIBUTIONS.has(lower) ? 'linux' : null;
}

function browserFamily(name: string | undefined): BrowserName | null {
  if (name === undefined) return null;
  switch (name) {
    case 'Chrome':
    case 'Mobile Chrome':
    case 'Chromium':
    case 'Chrome Headless':
      return 'chrome';
    case 'Safari':
    case 'Mobile Safari':
      return 'safari';
    case 'Firefox':
    case 'Mobile Firefox':
    case 'Firefox Focus':
    case 'Firefox Reality':
      return 'firefox';
    case 'Edge':
      return 'edge';
    case 'Samsung Internet':
      return 'samsung';
  }
  if (name.startsWith('Opera')) return 'opera';
  // In-app browsers, Android WebView, IE and regional browsers: a person, just not a family
  // a smart rule can target.
  return 'other';
}
