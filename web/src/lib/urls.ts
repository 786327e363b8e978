/** The `token` of a `#token=…` fragment (e-mail links put it there so it never reaches logs). */
export function tokenFromFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && token.length <= 100 ? token : null;
}

/** A path on this site to return to after signing in; anything else (other hosts) goes home. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
