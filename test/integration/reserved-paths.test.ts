import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listAudit } from '../../src/audit/repo.js';
import { recordChange } from '../../src/db/changes.js';
import { activateDomain, findDomainById } from '../../src/domains/repo.js';
import { routeTable } from '../../src/http/route-table.js';
import { codeKey } from '../../src/links/codes.js';
import { findLink, insertLink } from '../../src/links/repo.js';
import { emailTemplates, type EmailContent } from '../../src/shared/email-templates.js';
import { newId } from '../../src/shared/ids.js';
import {
  caller,
  signUp,
  startTestApp,
  type Dialect,
  type TestApp,
  type TestUser,
} from '../helpers/app.js';
import { linkRow, makeDomain, makeTenant, type Tenant } from '../helpers/fixtures.js';
import { runPageScript, type FakeElement } from '../helpers/page-script.js';
import { hit, locations, until } from '../helpers/redirect.js';
import { postgresMissing } from '../helpers/services.js';
import {
  linksIn,
  recipients,
  startMailCatcher,
  tokenIn,
  type MailCatcher,
} from '../helpers/smtp.js';

/**
 * Paths the server serves or links to are never short codes (issue 9 §1.1): a link holding the
 * code `reset-password` would receive the e-mailed `#token=…` fragment across its redirect.
 */

const pgMissing = await postgresMissing();

const BASE_URL = 'https://qr.example.test';
const BASE_HOST = new URL(BASE_URL).host;
const PASSWORD = 'correct horse battery';
const NO_LIMITS = {
  api: { limit: 1_000_000, windowMs: 60_000 },
  auth: { limit: 1_000_000, windowMs: 60_000 },
};
const SLUG = /^[A-Za-z0-9_-]{1,64}$/;
const GENERATED = /^[0-9A-HJKMNP-TV-Z]{8}$/;

/** Every e-mail template, rendered with sample values (a new template must be added here). */
const RENDER_EMAIL: { [K in keyof typeof emailTemplates]: (baseUrl: URL) => EmailContent } = {
  passwordReset: (baseUrl) => emailTemplates.passwordReset(baseUrl, { token: 'sample-token' }),
  invitation: (baseUrl) =>
    emailTemplates.invitation(baseUrl, {
      inviterEmail: 'owner@example.test',
      workspaceName: 'Sample',
      role: 'viewer',
      token: 'sample-token',
    }),
  paymentFailed: (baseUrl) => emailTemplates.paymentFailed(baseUrl),
  trialEnding: (baseUrl) => emailTemplates.trialEnding(baseUrl),
};

const firstSegment = (path: string) => path.split('/')[1] ?? '';

/** The ways a browser or a user may spell a code: codes are case-insensitive. */
const spellings = (word: string) => [
  ...new Set([word, word.toUpperCase(), word.charAt(0).toUpperCase() + word.slice(1)]),
];

/** Requests the redirect engine has answered so far, whatever the answer. */
function engineAnswers(t: TestApp): number {
  const c = t.app.redirect.counters;
  return c.redirects + c.notFound + c.unavailable + c.pages + c.throttled;
}

async function activeDomain(t: TestApp, workspaceId: string): Promise<string> {
  const id = await makeDomain(t, workspaceId);
  const now = t.app.ctx.clock.now();
  await activateDomain(t.app.ctx.db, id, now);
  await recordChange(t.app.ctx.db, t.app.ctx.dialect, 'domain', id, now);
  const host = (await findDomainById(t.app.ctx.db, id))?.host as string;
  const known = await until(
    async () => t.app.redirect.directory.match(host)?.kind,
    (kind) => kind === 'custom',
    5000,
  );
  expect(known.ok, `${host} reached the domain directory`).toBe(true);
  return host;
}

/** A named control of a page's form (`form.password`). */
const field = (form: FakeElement, name: string) => form[name] as { value: string };

/** A page's inline scripts all carry the nonce its CSP allows, and nothing else may run. */
function expectNoncedPage(res: { headers: Record<string, unknown>; text: string }): void {
  const csp = String(res.headers['content-security-policy']);
  expect(csp).toContain("default-src 'none'");
  const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
  const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(scriptSrc)?.[1];
  expect(nonce, csp).toBeDefined();
  const scripts = [...res.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const attributes of scripts) expect(attributes).toBe(` nonce="${nonce}"`);
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(`reserved paths on ${dialect}`, () => {
    let t: TestApp;
    let mail: MailCatcher;
    let attacker: TestUser;
    let customHost: string;
    beforeAll(async () => {
      mail = await startMailCatcher();
      t = await startTestApp({
        dialect,
        env: { QRLINK_SIGNUP: 'open', QRLINK_BASE_URL: BASE_URL, QRLINK_SMTP_URL: mail.url },
        overrides: { rateLimits: NO_LIMITS, missBudget: { limit: 100_000, windowMs: 60_000 } },
      });
      attacker = await signUp(t.url, 'attacker');
      customHost = await activeDomain(t, attacker.workspaceId);
    });
    afterAll(async () => {
      await t?.close();
      await mail?.close();
    });

    it.each(['reset-password', 'accept-invitation', 'Reset-Password'])(
      'refuses the e-mailed page path %j as a code, and the page is not hijacked',
      async (code) => {
        const res = await attacker.api.request('POST', '/api/v1/links', {
          url: 'https://attacker.example/steal',
          code,
        });
        // The e-mailed URL first: before the fix it redirected to the attacker, fragment and all.
        const page = await hit(t.url, `/${code.toLowerCase()}`, { host: BASE_HOST });
        expect(locations(page)).toEqual([]);
        expect(page.text).not.toContain('attacker.example');
        expect(res.status, JSON.stringify(res.body)).toBe(422);
        expect(res.body.errors).toEqual([{ field: '/code', message: `"${code}" is reserved` }]);
      },
    );

    it('reserves every registered route and every e-mailed URL, on every domain, in any case', async () => {
      // `/` is no code on any host (on a custom domain it is the domain's root redirect).
      const routePaths = routeTable(t.app.api)
        .map((r) => r.url.replace(/:[A-Za-z0-9_]+/g, 'x').replace('*', 'x'))
        .filter((path) => path !== '/');
      const mailedPaths = Object.values(RENDER_EMAIL).flatMap((render) => {
        const urls = [...render(new URL(BASE_URL)).text.matchAll(/https?:\/\/\S+/g)].map(
          (m) => new URL(m[0]),
        );
        for (const url of urls) expect(url.origin).toBe(BASE_URL);
        return urls.map((url) => url.pathname);
      });
      expect(mailedPaths).toEqual(
        expect.arrayContaining(['/reset-password', '/accept-invitation', '/settings/billing']),
      );
      const segments = [...new Set([...routePaths, ...mailedPaths].map(firstSegment))].filter(
        Boolean,
      );
      expect(segments).toEqual(
        expect.arrayContaining([
          'api',
          'healthz',
          'readyz',
          'metrics',
          'reset-password',
          'accept-invitation',
          'verify-email',
          'login',
          'settings',
          'robots.txt',
          'favicon.ico',
          '.well-known',
          'apple-app-site-association',
        ]),
      );

      const failures: string[] = [];
      const now = t.app.ctx.clock.now();
      for (const segment of segments) {
        if (!t.app.reservedCodes.has(codeKey(segment))) failures.push(`${segment}: not reserved`);
        // Refused as a custom code on the default and on a custom domain.
        for (const code of spellings(segment)) {
          for (const domain of [undefined, customHost]) {
            const res = await attacker.api.request('POST', '/api/v1/links', {
              url: 'https://attacker.example/',
              code,
              ...(domain ? { domain } : {}),
            });
            const status = SLUG.test(code) ? 422 : 400;
            const field = res.body?.errors?.[0]?.field;
            if (res.status !== status || field !== '/code')
              failures.push(`create ${code} on ${domain ?? 'default'}: ${res.status} ${field}`);
          }
        }
        // A link holding it anyway (written around the API) is never what answers.
        if (SLUG.test(segment)) {
          for (const domain of ['', customHost]) {
            await insertLink(
              t.app.ctx.db,
              linkRow({
                id: newId('lnk', now),
                workspaceId: attacker.workspaceId,
                code: segment,
                createdBy: attacker.userId,
                now,
                domain,
                url: 'https://planted.example/',
              }),
            );
          }
        }
      }
      const paths = [...segments.flatMap((s) => spellings(s).map((w) => `/${w}`)), ...routePaths];
      for (const path of paths) {
        for (const method of ['GET', 'HEAD', 'POST']) {
          // The base URL and unknown hosts hand the server's own paths to the API.
          for (const host of [BASE_HOST, undefined]) {
            const before = engineAnswers(t);
            const res = await hit(t.url, path, host ? { host } : {}, method);
            if (engineAnswers(t) !== before || locations(res).some((l) => l.includes('planted')))
              failures.push(`${method} ${path} on ${host ?? 'an unknown host'}: ${res.status}`);
          }
          // A custom domain serves short links only: its own not-found answer.
          const res = await hit(t.url, path, { host: customHost }, method);
          if (res.status !== 404 || locations(res).length > 0)
            failures.push(`${method} ${path} on ${customHost}: ${res.status}`);
        }
      }
      expect(failures, failures.join('\n')).toEqual([]);
    });

    it('answers reserved paths on a custom domain as not found, and its codes as before', async () => {
      for (const path of ['/healthz', '/reset-password', '/api/v1/links', '/robots.txt']) {
        const res = await hit(t.url, path, { host: customHost });
        expect(res.status, path).toBe(404);
        expect(res.text).toContain('Link not found');
      }
      const created = await attacker.api.request('POST', '/api/v1/links', {
        url: 'https://example.com/custom',
        domain: customHost,
        code: 'spring',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const res = await hit(t.url, '/SPRING', { host: customHost });
      expect(res.status).toBe(302);
      expect(locations(res)).toEqual(['https://example.com/custom']);
    });

    it('serves robots.txt and the operational paths on the base URL', async () => {
      const robots = await hit(t.url, '/robots.txt', { host: BASE_HOST });
      expect(robots.status).toBe(200);
      expect(robots.text).toBe('User-agent: *\nDisallow: /\n');
      expect((await hit(t.url, '/healthz', { host: BASE_HOST })).status).toBe(200);
      const favicon = await hit(t.url, '/favicon.ico', { host: BASE_HOST });
      expect(favicon.status).toBe(404);
      expect(favicon.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('generates codes outside the reserved set', async () => {
      expect(t.app.reservedCodes.size).toBeGreaterThan(10);
      for (let i = 0; i < 20; i++) {
        const res = await attacker.api.request('POST', '/api/v1/links', {
          url: `https://example.com/generated-${i}`,
        });
        expect(res.status).toBe(201);
        expect(t.app.reservedCodes.has(codeKey(res.body.code))).toBe(false);
      }
    });

    it('e-mails a reset link to a working page, which sets the new password', async () => {
      const victim = await signUp(t.url, 'victim');
      const before = mail.messages.length;
      const asked = await caller(t.url).request('POST', '/api/v1/auth/password-reset', {
        email: victim.email,
      });
      expect(asked.status).toBe(202);
      const message = await mail.waitFor(
        (m) => mail.messages.indexOf(m) >= before && recipients(m).includes(victim.email),
      );
      const [link] = linksIn(message);
      expect(link?.origin).toBe(BASE_URL);
      expect(link?.pathname).toBe('/reset-password');
      expect(link?.hash).toBe(`#token=${tokenIn(message)}`);

      const page = await hit(t.url, link?.pathname as string, { host: BASE_HOST });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expectNoncedPage(page);

      // The page's own script, as a browser runs it on the e-mailed URL.
      const open = () =>
        runPageScript(page.text, { baseUrl: t.url, origin: BASE_URL, hash: link?.hash ?? '' });
      const form = open();
      expect(form.fragmentCleared()).toBe(true);
      expect(form.element('token-field').hidden).toBe(true);
      expect(field(form.element('reset'), 'token').value).toBe(tokenIn(message));
      const newPassword = 'a brand new passphrase';
      field(form.element('reset'), 'password').value = newPassword;
      await form.submit('reset');
      expect(form.calls).toEqual([
        { method: 'POST', path: '/api/v1/auth/password-reset/confirm', status: 204 },
      ]);
      expect(form.element('message')).toMatchObject({ className: 'ok' });
      expect(form.element('message').textContent).toMatch(/password has been changed/);
      expect(form.element('reset').hidden).toBe(true);
      const login = await caller(t.url).request('POST', '/api/v1/auth/login', {
        email: victim.email,
        password: newPassword,
      });
      expect(login.status).toBe(200);

      // The link again: the token is spent, and the page says so.
      const again = open();
      field(again.element('reset'), 'password').value = 'yet another passphrase';
      await again.submit('reset');
      expect(again.element('message')).toMatchObject({ className: 'error' });
      expect(again.element('message').textContent).toMatch(/invalid, used or expired/);

      // Without a token the page asks for one and can send a new e-mail.
      const bare = runPageScript(page.text, { baseUrl: t.url, origin: BASE_URL, hash: '' });
      expect(bare.element('token-field').hidden).toBe(false);
      field(bare.element('request'), 'email').value = victim.email;
      await bare.submit('request');
      expect(bare.calls).toEqual([
        { method: 'POST', path: '/api/v1/auth/password-reset', status: 202 },
      ]);
      expect(bare.element('message')).toMatchObject({ className: 'ok' });
    });

    it('e-mails invitation links to a working page, which signs up or signs in and joins', async () => {
      const owner = await signUp(t.url, 'owner');
      const existing = await signUp(t.url, 'member');
      const newcomer = `invitee-${dialect}-${Date.now()}@example.test`;
      for (const email of [newcomer, existing.email]) {
        const invited = await owner.api.request(
          'POST',
          `/api/v1/workspaces/${owner.workspaceId}/invitations`,
          { email, role: 'viewer' },
        );
        expect(invited.status, JSON.stringify(invited.body)).toBe(201);
      }
      const pageFor = async (email: string) => {
        const [link] = linksIn(await mail.waitFor((m) => recipients(m).includes(email)));
        expect(link?.origin).toBe(BASE_URL);
        expect(link?.pathname).toBe('/accept-invitation');
        const page = await hit(t.url, link?.pathname as string, { host: BASE_HOST });
        expect(page.status).toBe(200);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expectNoncedPage(page);
        const run = runPageScript(page.text, {
          baseUrl: t.url,
          origin: BASE_URL,
          hash: link?.hash ?? '',
        });
        expect(run.fragmentCleared()).toBe(true);
        // Not signed in: the page offers to sign in or to sign up.
        await vi.waitFor(() => expect(run.element('credentials').hidden).toBe(false));
        expect(run.element('join').hidden).toBe(true);
        return run;
      };
      const joinedAs = async (email: string) => {
        const res = await caller(t.url).request('POST', '/api/v1/auth/login', {
          email,
          password: PASSWORD,
        });
        const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
        const me = await caller(t.url, { cookie }).request('GET', '/api/v1/workspaces');
        return me.body.items.find((w: { id: string }) => w.id === owner.workspaceId)?.role;
      };

      const signup = await pageFor(newcomer);
      field(signup.element('accept'), 'email').value = newcomer;
      field(signup.element('accept'), 'password').value = PASSWORD;
      await signup.submit('accept', { value: 'signup' });
      expect(signup.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
        'GET /api/v1/me 401',
        'POST /api/v1/auth/signup 201',
      ]);
      expect(signup.element('message')).toMatchObject({ className: 'ok' });
      expect(signup.element('message').textContent).toMatch(/^You joined .+ as viewer\.$/);
      expect(await joinedAs(newcomer)).toBe('viewer');

      const signin = await pageFor(existing.email);
      field(signin.element('accept'), 'email').value = existing.email;
      field(signin.element('accept'), 'password').value = existing.password;
      await signin.submit('accept', { value: 'login' });
      expect(signin.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
        'GET /api/v1/me 401',
        'POST /api/v1/auth/login 200',
        'POST /api/v1/invitations/accept 200',
      ]);
      expect(signin.element('message')).toMatchObject({ className: 'ok' });
      expect(await joinedAs(existing.email)).toBe('viewer');
    });
  });

  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `links that held a reserved code before it was reserved, on ${dialect}`,
    () => {
      let first: TestApp;
      const later: TestApp[] = [];
      let tenant: Tenant;
      let other: Tenant;
      /** Another process on the same database (same data folder, same PostgreSQL database). */
      const startAnother = async () => {
        const config = first.app.ctx.config;
        const app = await startTestApp({
          env: {
            QRLINK_DATA_DIR: config.db.dataDir,
            ...(config.db.postgresUrl ? { QRLINK_DATABASE_URL: config.db.postgresUrl } : {}),
          },
        });
        later.push(app);
        return app;
      };
      beforeAll(async () => {
        first = await startTestApp({ dialect });
        tenant = await makeTenant(first, 'owner');
        other = await makeTenant(first, 'other');
      });
      afterAll(async () => {
        for (const app of later) await app.close();
        await first?.close();
      });

      it('moves them to new codes at start-up, tells their owners, and every process serves them', async () => {
        const db = first.app.ctx.db;
        const now = first.app.ctx.clock.now();
        const rows = [
          { who: tenant, code: 'reset-password', domain: '', archived: false },
          { who: tenant, code: 'HealthZ', domain: '', archived: false },
          { who: tenant, code: 'keep-me', domain: '', archived: false },
          { who: tenant, code: 'accept-invitation', domain: '', archived: true },
          { who: other, code: 'api', domain: 'go.other.example', archived: false },
        ].map((r, i) => ({ ...r, id: newId('lnk', now + i), url: `https://example.com/${i}` }));
        for (const r of rows) {
          await insertLink(
            db,
            linkRow({
              id: r.id,
              workspaceId: r.who.workspaceId,
              code: r.code,
              createdBy: r.who.owner.userId,
              now,
              domain: r.domain,
              url: r.url,
              archived_at: r.archived ? now : null,
            }),
          );
        }

        // The running process caches them under their old codes, as an older version would.
        for (const r of rows) await recordChange(db, first.app.ctx.dialect, 'link', r.id, now);
        const live = rows[0] as (typeof rows)[number];
        const cachedCode = () => first.app.redirect.cache.get(live.id)?.code;
        expect(
          (
            await until(
              async () => cachedCode(),
              (c) => c === live.code,
              5000,
            )
          ).ok,
        ).toBe(true);

        const second = await startAnother();
        const moved = new Map<string, string>();
        for (const r of rows) {
          const stored = await findLink(db, r.who.workspaceId, r.id);
          if (r.code === 'keep-me') {
            expect(stored?.code).toBe('keep-me');
            continue;
          }
          expect(stored?.code, r.code).toMatch(GENERATED);
          expect(second.app.reservedCodes.has(stored?.code_key as string)).toBe(false);
          moved.set(r.id, stored?.code as string);
        }
        expect(moved.size).toBe(4);

        // Each owner reads it in the workspace's audit log, with the old and the new code.
        for (const who of [tenant, other]) {
          const log = await who.ownerKey.api.request('GET', '/api/v1/audit-log');
          expect(log.status).toBe(200);
          const entries = log.body.items.filter(
            (e: { action: string }) => e.action === 'link.code_reassigned',
          );
          const mine = rows.filter((r) => r.who === who && moved.has(r.id));
          expect(entries).toHaveLength(mine.length);
          for (const r of mine) {
            expect(entries).toContainEqual(
              expect.objectContaining({
                targetType: 'link',
                targetId: r.id,
                details: {
                  from: r.code,
                  to: moved.get(r.id),
                  domain: r.domain,
                  reason: 'reserved path',
                },
              }),
            );
          }
        }

        // The new code reaches the process that was already running through the change log, and
        // works there and in the process that moved it; the old path is the page again.
        const relayed = await until(
          async () => cachedCode(),
          (c) => c === moved.get(live.id),
          5000,
        );
        expect(relayed.ok, `cached code ${relayed.value}`).toBe(true);
        for (const app of [second, first]) {
          const served = await until(
            () => hit(app.url, `/${moved.get(live.id) as string}`),
            (res) => res.status === 302,
            5000,
          );
          expect(served.ok, app === first ? 'the running process' : 'the new one').toBe(true);
          expect(locations(served.value)).toEqual([live.url]);
          const page = await hit(app.url, '/reset-password');
          expect(page.status).toBe(200);
          expect(locations(page)).toEqual([]);
        }

        // Idempotent: a third start moves nothing and writes nothing more.
        const audits = async () =>
          (await listAudit(db, tenant.workspaceId, 100, null)).filter(
            (e) => e.action === 'link.code_reassigned',
          ).length;
        const before = await audits();
        await startAnother();
        expect(await audits()).toBe(before);
        for (const r of rows) {
          const stored = await findLink(db, r.who.workspaceId, r.id);
          expect(stored?.code).toBe(moved.get(r.id) ?? 'keep-me');
        }
      });
    },
  );
}
