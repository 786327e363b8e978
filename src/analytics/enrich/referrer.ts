import { isIP } from 'node:net';

/** Enough for any real Referer; the host comes first, so a longer header loses nothing we keep. */
const MAX_REFERER_LENGTH = 2048;
const HOST_SCHEMES = new Set(['http:', 'https:', 'android-app:']);

/**
 * The referrer reduced to its lower-case host name (PRV-08): no scheme, userinfo, port, path,
 * query or fragment ever leaves this function. `android-app://com.google.android.gm/` (what
 * Android apps send) gives the package name, 'com.google.android.gm'. Other schemes, IP-literal
 * hosts (which would put an address at rest, PRV-01) and unparsable values give null.
 */
export function referrerHost(referer: string | undefined): string | null {
  if (!referer) return null;
  let url: URL;
  try {
    url = new URL(referer.trim().slice(0, MAX_REFERER_LENGTH));
  } catch {
    return null;
  }
  if (!HOST_SCHEMES.has(url.protocol)) return null;
  // Non-special schemes (android-app:) keep their host's case; a trailing dot is the same host.
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!host || host.startsWith('[') || isIP(host) !== 0) return null;
  return host;
}
