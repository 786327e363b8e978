/** The few HTML pages the short-link domains show. Every dynamic value is escaped. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function page(title: string, body: string, nonce?: string, script?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#111}h1{font-size:1.4rem}input,button{font:inherit;padding:.5rem;margin:.25rem 0}a{color:#0645ad}.error{color:#b00020}</style>
</head><body>${body}${script && nonce ? `<script nonce="${nonce}">${script}</script>` : ''}</body></html>`;
}

export const notFoundPage = () =>
  page('Link not found', '<h1>Link not found</h1><p>This short link does not exist.</p>');

export const pausedPage = () =>
  page(
    'Link not active',
    '<h1>This link is not active</h1><p>Its owner has paused it. Try again later.</p>',
  );

export const disabledPage = () =>
  page('Link disabled', '<h1>This link has been disabled</h1><p>It no longer leads anywhere.</p>');

export const expiredPage = () =>
  page('Link expired', '<h1>This link has expired</h1><p>It is no longer available.</p>');

export const limitPage = () =>
  page(
    'Link no longer available',
    '<h1>This link is no longer available</h1><p>It has reached its scan limit.</p>',
  );

export const unavailablePage = () =>
  page(
    'Temporarily unavailable',
    '<h1>Temporarily unavailable</h1><p>Please try again in a few seconds.</p>',
  );

export const uriTooLongPage = () =>
  page(
    'Address too long',
    '<h1>This address is too long</h1><p>Open the short link without the parameters added to it.</p>',
  );

export const tooManyMissesPage = () =>
  page(
    'Too many unknown links',
    '<h1>Too many unknown links</h1><p>Check the address, then try again in a minute.</p>',
  );

export const tooManyAttemptsPage = () =>
  page('Too many attempts', '<h1>Too many attempts</h1><p>Wait a minute before trying again.</p>');

export function passwordPage(action: string, error: string | null): string {
  return page(
    'Password required',
    `<h1>This link is protected</h1><form method="post" action="${escapeHtml(action)}">` +
      `<label>Password<br><input type="password" name="password" autofocus required maxlength="128"></label><br>` +
      (error ? `<p class="error">${escapeHtml(error)}</p>` : '') +
      `<button type="submit">Continue</button></form>`,
  );
}

/**
 * Deep links never go into Location: this page offers the app link and falls back to the web
 * destination after a short wait.
 */
export function appLinkPage(appUrl: string, webUrl: string, nonce: string): string {
  return page(
    'Opening…',
    `<h1>Opening the app…</h1><p><a href="${escapeHtml(appUrl)}">Open in the app</a></p>` +
      `<p><a href="${escapeHtml(webUrl)}">Continue in the browser</a></p>`,
    nonce,
    `var a=${jsonForScript(appUrl)},w=${jsonForScript(webUrl)};location.href=a;setTimeout(function(){location.replace(w)},1500);`,
  );
}

/** JSON that cannot close the script element or start an HTML comment. */
function jsonForScript(value: string): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}
