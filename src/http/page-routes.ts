import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import { PAGE_PATHS } from '../shared/page-paths.js';
import * as pages from './account-pages.js';
import type { Api } from './server.js';

/**
 * Paths that browsers, crawlers and app platforms request by themselves. Registered like any
 * route so that no short code can take them; none of them has anything to serve yet.
 */
const BROWSER_PATHS = [
  '/favicon.ico',
  '/apple-touch-icon.png',
  '/apple-touch-icon-precomposed.png',
  '/browserconfig.xml',
  '/sitemap.xml',
  '/apple-app-site-association',
  '/.well-known',
  '/.well-known/*',
];

/** Short links carry `X-Robots-Tag: noindex`; crawlers need not fetch them at all. */
const ROBOTS_TXT = 'User-agent: *\nDisallow: /\n';

function sendPage(reply: FastifyReply, status: number, render: (nonce: string) => string) {
  const nonce = randomBytes(16).toString('base64');
  return reply
    .code(status)
    .headers({
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex',
      'referrer-policy': 'no-referrer',
      'content-security-policy':
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; ` +
        `connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    })
    .type('text/html; charset=utf-8')
    .send(render(nonce));
}

/**
 * Every page path (PAGE_PATHS) and browser-claimed path as a real route: the route table is then
 * the one list of paths short codes must not take (app.ts). Each dashboard section also owns
 * its sub-paths (`/links/…`).
 */
export function pageRoutes(app: Api): void {
  const options = {
    schema: { hide: true },
    config: { auth: 'public', rateLimit: 'none' },
  } as const;
  const rendered: Record<string, (nonce: string) => string> = {
    [PAGE_PATHS.home]: pages.homePage,
    [PAGE_PATHS.resetPassword]: pages.resetPasswordPage,
    [PAGE_PATHS.acceptInvitation]: pages.acceptInvitationPage,
  };
  for (const [path, render] of Object.entries(rendered)) {
    app.get(path, options, async (_request, reply) => sendPage(reply, 200, render));
  }
  const sections = new Set(
    Object.values(PAGE_PATHS)
      .filter((path) => !(path in rendered))
      .map((path) => `/${path.split('/')[1] as string}`),
  );
  for (const section of sections) {
    for (const path of [section, `${section}/*`]) {
      app.get(path, options, async (_request, reply) => sendPage(reply, 404, pages.notYetPage));
    }
  }

  app.get('/robots.txt', options, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(ROBOTS_TXT),
  );
  for (const path of BROWSER_PATHS) {
    app.get(path, options, async () => {
      throw new AppError('not_found', 'Nothing is served here');
    });
  }
}
