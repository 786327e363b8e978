/** `__Host-` needs Secure, which browsers honour on https and on localhost. */
export function sessionCookieName(baseUrl: URL): string {
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(baseUrl.hostname);
  return baseUrl.protocol === 'https:' || local ? '__Host-qrlink_session' : 'qrlink_session';
}

export function sessionCookieSecure(baseUrl: URL): boolean {
  return sessionCookieName(baseUrl).startsWith('__Host-');
}
