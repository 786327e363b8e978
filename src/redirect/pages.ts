/** The few HTML pages the short-link domains show. Every dynamic value is escaped. */
import { escapeHtml, htmlPage, jsonForScript } from '../shared/html.js';

const page = (title: string, body: string, nonce?: string, script?: string): string =>
  htmlPage(title, body, nonce && script ? { nonce, code: script } : undefined);

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
