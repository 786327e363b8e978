import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { createLink } from '../helpers/redirect.js';
import { decodeEscapes, readFixtureLines } from '../helpers/url-fixtures.js';

const RATE_LIMITS = {
  api: { limit: 1_000_000, windowMs: 60_000 },
  auth: { limit: 1000, windowMs: 60_000 },
};
/** Rules per request when payloads go in as rule and split URLs (each must be reported). */
const BATCH = 10;

describe('the dangerous destination corpus through the API (RED-01/03/05)', () => {
  let t: TestApp;
  let dns: TestDnsServer;
  let user: TestUser;
  beforeAll(async () => {
    dns = await startDnsServer();
    t = await startTestApp({
      env: {
        QRLINK_SIGNUP: 'open',
        // The fixture's own hosts: the shared domain and the service's addresses...
        QRLINK_BASE_URL: 'https://qr.example',
        QRLINK_OWN_HOSTS: '127.0.0.1,198.51.100.7,[2001:db8::7]',
        QRLINK_DNS_SERVERS: dns.address,
      },
      overrides: { rateLimits: RATE_LIMITS },
    });
    user = await signUp(t.url);
    // ...and its custom domains, verified by ANOTHER workspace.
    const owner = await signUp(t.url);
    for (const host of ['go.brand.example', 'bücher.example']) {
      const added = await owner.api.request('POST', '/api/v1/domains', { host });
      expect(added.status).toBe(201);
      dns.txt.set(added.body.verification.name, [added.body.verification.value]);
      const verified = await owner.api.request('POST', `/api/v1/domains/${added.body.id}/verify`);
      expect(verified.body.status).toBe('active');
    }
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
  });

  it('accepts none of the payloads in any URL field, on create or edit', async () => {
    const payloads = readFixtureLines('dangerous-urls.txt').map((p) => ({
      ...p,
      url: decodeEscapes(p.text),
    }));
    expect(payloads.length).toBeGreaterThanOrEqual(300);
    const base = await createLink(user, { url: 'https://example.com/base' });
    const accepted: string[] = [];
    const jobs: (() => Promise<void>)[] = [];
    const single: [string, (url: string) => Record<string, unknown>][] = [
      ['url', (url) => ({ url })],
      ['expiredUrl', (url) => ({ url: 'https://example.com/', expiredUrl: url })],
      ['fallbackUrl', (url) => ({ url: 'https://example.com/', maxScans: 1, fallbackUrl: url })],
    ];
    for (const payload of payloads) {
      for (const [field, body] of single) {
        jobs.push(async () => {
          const res = await user.api.request('POST', '/api/v1/links', body(payload.url));
          if (res.status !== 400) accepted.push(`create ${field} ${res.status}: ${payload.text}`);
        });
      }
      if (payload.section.startsWith('Loops')) {
        jobs.push(async () => {
          const res = await user.api.request('PATCH', `/api/v1/links/${base.id}`, {
            url: payload.url,
          });
          if (res.status !== 400) accepted.push(`edit url ${res.status}: ${payload.text}`);
        });
      }
    }
    // Rule and split URLs: BATCH payloads per request, and every one must be reported.
    for (let start = 0; start < payloads.length; start += BATCH) {
      const batch = payloads.slice(start, start + BATCH);
      const shapes: [string, (url: string) => Record<string, unknown>][] = [
        ['rule url', (url) => ({ when: { os: ['ios'] }, url })],
        [
          'split url',
          (url) => ({
            when: { device: ['mobile'] },
            split: [
              { url: 'https://example.com/a', weight: 1 },
              { url, weight: 1 },
            ],
          }),
        ],
      ];
      for (const [field, rule] of shapes) {
        const send = (items: typeof batch) =>
          user.api.request('POST', '/api/v1/links', {
            url: 'https://example.com/',
            rules: items.map((p) => rule(p.url)),
          });
        jobs.push(async () => {
          const res = await send(batch);
          const fields = ((res.body?.errors ?? []) as { field: string }[]).map((e) => e.field);
          for (const [i, p] of batch.entries()) {
            if (res.status === 400 && fields.some((f) => f.startsWith(`/rules/${i}/`))) continue;
            // Not reported in the batch (a schema error elsewhere stops the URL checks): alone.
            const alone = await send([p]);
            if (alone.status !== 400) accepted.push(`create ${field} ${alone.status}: ${p.text}`);
          }
        });
      }
    }
    await runConcurrently(jobs, 8);
    expect(accepted).toEqual([]);
    expect((await user.api.request('GET', `/api/v1/links/${base.id}`)).body.url).toBe(
      'https://example.com/base',
    );
  });
});

async function runConcurrently(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
    }),
  );
}
