/** The shell of the few server-rendered HTML pages (redirect pages, account pages). */

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

/** JSON that cannot close the script element or start an HTML comment. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

/**
 * A complete page: `body` is HTML the caller has escaped; `script` runs only under the response's
 * CSP nonce, so no other inline script can.
 */
export function htmlPage(
  title: string,
  body: string,
  script?: { nonce: string; code: string },
): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#111}h1{font-size:1.4rem}input,button{font:inherit;padding:.5rem;margin:.25rem 0}a{color:#0645ad}.error{color:#b00020}.ok{color:#0a7d28}</style>
</head><body>${body}${script ? `<script nonce="${script.nonce}">${script.code}</script>` : ''}</body></html>`;
}
