import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/adapters/clock.js';
import { signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { rawRequest } from '../helpers/http.js';
import { seededRandom } from '../helpers/random.js';
import { createLink, hit, locations, until, type CreatedLink } from '../helpers/redirect.js';

interface DomainBody {
  id: string;
  host: string;
  status: string;
  verification: { type: string; name: string; value: string };
}

describe('custom domains', () => {
  let t: TestApp;
  let dns: TestDnsServer;
  let alice: TestUser;
  let bob: TestUser;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    dns = await startDnsServer();
    // No QRLINK_TRUSTED_PROXIES: forwarded headers must be ignored here.
    t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open', QRLINK_DNS_SERVERS: dns.address },
      // One client probes 1,000 host and code pairs: above the enumeration throttle's budget.
      overrides: { clock, missBudget: { limit: 100_000, windowMs: 60_000 } },
    });
    alice = await signUp(t.url);
    bob = await signUp(t.url);
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
  });

  async function addDomain(user: TestUser, host: string, extra: Record<string, string> = {}) {
    const res = await user.api.request('POST', '/api/v1/domains', { host, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as DomainBody;
  }
  async function verified(user: TestUser, host: string, extra: Record<string, string> = {}) {
    const domain = await addDomain(user, host, extra);
    dns.txt.set(domain.verification.name, [domain.verification.value]);
    const res = await user.api.request('POST', `/api/v1/domains/${domain.id}/verify`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('active');
    return domain;
  }
  const onHost = (host: string, path: string, headers: Record<string, string> = {}) =>
    hit(t.url, path, { host, ...headers });

  it('serves a domain only after its TXT record is verified', async () => {
    const domain = await addDomain(alice, 'Go.Alice.Example.');
    expect(domain).toMatchObject({
      host: 'go.alice.example',
      status: 'pending',
      verification: { type: 'TXT', name: '_qrlink.go.alice.example' },
    });
    expect(domain.verification.value).toMatch(/^qrlink-verification=\S{20,}$/);
    const early = await alice.api.request('POST', '/api/v1/links', {
      url: 'https://example.com/',
      domain: 'go.alice.example',
    });
    expect(early.status).toBe(400);

    const missing = await alice.api.request('POST', `/api/v1/domains/${domain.id}/verify`);
    expect(missing.status).toBe(422);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body.detail).toContain('_qrlink.go.alice.example');
    dns.txt.set(domain.verification.name, ['qrlink-verification=someone-elses-token']);
    expect((await alice.api.request('POST', `/api/v1/domains/${domain.id}/verify`)).status).toBe(
      422,
    );
    const listed = await alice.api.request('GET', '/api/v1/domains');
    expect(listed.body.items.map((d: DomainBody) => [d.host, d.status])).toEqual([
      ['go.alice.example', 'pending'],
    ]);

    dns.txt.set(domain.verification.name, ['v=spf1 -all', domain.verification.value]);
    const ok = await alice.api.request('POST', `/api/v1/domains/${domain.id}/verify`);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('active');
    expect(ok.body.verifiedAt).not.toBeNull();

    // The verified domain answers at once in this process, for its own workspace's links only.
    const link = await createLink(alice, {
      url: 'https://example.com/alice',
      domain: 'go.alice.example',
      code: 'hello',
    });
    expect(link.shortUrl).toBe('https://go.alice.example/hello');
    expect(link.domain).toBe('go.alice.example');
    for (const host of ['go.alice.example', 'GO.ALICE.EXAMPLE.', 'go.alice.example:443']) {
      const res = await onHost(host, '/HELLO');
      expect(res.status, host).toBe(302);
      expect(locations(res)).toEqual(['https://example.com/alice']);
    }
    expect((await hit(t.url, '/hello')).status).toBe(404);
    const foreign = await bob.api.request('POST', '/api/v1/links', {
      url: 'https://example.com/',
      domain: 'go.alice.example',
    });
    expect(foreign.status).toBe(400);
    // A second workspace cannot verify a host that is already verified.
    const claim = await addDomain(bob, 'go.alice.example');
    dns.txt.set(claim.verification.name, [domain.verification.value, claim.verification.value]);
    expect((await bob.api.request('POST', `/api/v1/domains/${claim.id}/verify`)).status).toBe(409);
    dns.txt.set(claim.verification.name, [domain.verification.value]);
    expect((await bob.api.request('DELETE', `/api/v1/domains/${claim.id}`)).status).toBe(204);
  });

  it('refuses IPs, the platform domain and duplicates as custom domains', async () => {
    const before = await alice.api.request('GET', '/api/v1/domains');
    // Each one a field error on /host (src/domains/custom-host.test.ts has every case and reason).
    for (const host of [
      '192.0.2.1',
      'localhost',
      'www.localhost',
      'nodots',
      'bad_label.example',
      '-x.example',
      'example.com/evil',
      'https://example.com',
      'example.com:8443',
    ]) {
      const res = await alice.api.request('POST', '/api/v1/domains', { host });
      expect(res.status, host).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors, host).toEqual([{ field: '/host', message: expect.any(String) }]);
    }
    // Nothing was stored under a rewritten name.
    expect((await alice.api.request('GET', '/api/v1/domains')).body.items).toEqual(
      before.body.items,
    );
    const idn = await addDomain(bob, 'bücher.example');
    expect(idn.host).toBe('xn--bcher-kva.example');
    expect(
      (await bob.api.request('POST', '/api/v1/domains', { host: 'BÜCHER.example' })).status,
    ).toBe(409);
    expect((await alice.api.request('GET', `/api/v1/domains`)).body.items).toHaveLength(1);
    expect((await alice.api.request('DELETE', `/api/v1/domains/${idn.id}`)).status).toBe(404);
  });

  it('keys lookups by (host, code): 0 cross-domain answers in 1,000 random pairs (RED-10)', async () => {
    await verified(alice, 'a.red10.example');
    await verified(bob, 'b.red10.example');
    const hosts = ['localhost', 'a.red10.example', 'b.red10.example', 'nobody.red10.example'];
    const expected = new Map<string, string>();
    const codes: string[] = [];
    const add = async (user: TestUser, host: string, code: string | undefined) => {
      const url = `https://example.com/${host}/${code ?? 'random'}/${codes.length}`;
      const created = await createLink(user, {
        url,
        ...(host === 'localhost' ? {} : { domain: host }),
        ...(code ? { code } : {}),
      });
      expected.set(`${host} ${created.code.toUpperCase()}`, url);
      codes.push(created.code);
    };
    for (const code of ['promo', 'menu', undefined, undefined, undefined]) {
      await add(alice, 'localhost', code);
      await add(alice, 'a.red10.example', code);
      await add(bob, 'b.red10.example', code);
    }
    await add(bob, 'localhost', 'bobs-own');
    const random = seededRandom(10);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)] as T;
    const pairs = Array.from({ length: 1000 }, () => {
      const code = pick(codes);
      return { host: pick(hosts), code: random() < 0.5 ? code.toLowerCase() : code };
    });
    const wrong: string[] = [];
    let resolved = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < pairs.length) {
          const { host, code } = pairs[next++] as { host: string; code: string };
          const res = await onHost(host, `/${code}`);
          const want = expected.get(`${host} ${code.toUpperCase()}`);
          const got = locations(res);
          if (want === undefined) {
            if (res.status !== 404 || got.length > 0) wrong.push(`${host}/${code} → ${got[0]}`);
          } else if (res.status !== 302 || got[0] !== want) {
            wrong.push(`${host}/${code} → ${res.status} ${got[0]} (want ${want})`);
          } else resolved++;
        }
      }),
    );
    expect(wrong).toEqual([]);
    expect(resolved).toBeGreaterThan(300);
  });

  it('answers unknown hosts with a 404 page that names no tenant', async () => {
    const link = await createLink(alice, {
      url: 'https://example.com/tenant-secret-destination',
      title: 'Tenant title',
    });
    for (const host of ['unknown.example', 'evil.example:8080', '127.0.0.2', 'localhost.evil']) {
      const res = await onHost(host, `/${link.code}`);
      expect(res.status, host).toBe(404);
      expect(locations(res)).toEqual([]);
      for (const secret of ['tenant-secret', 'Tenant title', alice.workspaceId, link.id, 'alice']) {
        expect(res.text).not.toContain(secret);
      }
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // Forwarded host headers from an untrusted peer change nothing.
    const spoofed = await hit(t.url, `/${link.code}`, {
      host: 'unknown.example',
      'x-forwarded-host': 'localhost',
      forwarded: 'host=localhost',
    });
    expect(spoofed.status).toBe(404);
  });

  it('sends the root and unknown paths of a domain to its own URLs', async () => {
    const plain = await verified(bob, 'plain.bob.example');
    const withUrls = await verified(bob, 'urls.bob.example', {
      rootUrl: 'https://bob.example/',
      notFoundUrl: 'https://bob.example/404',
    });
    for (const path of ['/', '/nope', '/a/b', '/%ZZ', '/api/v1/links']) {
      const res = await onHost('plain.bob.example', path);
      expect(res.status, path).toBe(404);
    }
    const root = await onHost('urls.bob.example', '/');
    expect(root.status).toBe(302);
    expect(locations(root)).toEqual(['https://bob.example/']);
    for (const path of ['/nope', '/a/b/c']) {
      const res = await onHost('urls.bob.example', path);
      expect(res.status, path).toBe(302);
      expect(locations(res)).toEqual(['https://bob.example/404']);
    }
    const loop = await bob.api.request('PATCH', `/api/v1/domains/${plain.id}`, {
      rootUrl: 'https://urls.bob.example/x',
    });
    expect(loop.status).toBe(400);
    const changed = await bob.api.request('PATCH', `/api/v1/domains/${plain.id}`, {
      notFoundUrl: 'https://bob.example/gone',
    });
    expect(changed.status).toBe(200);
    const after = await onHost('plain.bob.example', '/nope');
    expect(locations(after)).toEqual(['https://bob.example/gone']);
    expect(withUrls.host).toBe('urls.bob.example');
  });

  it('stops serving when re-verification finds the record gone; a new owner inherits no links', async () => {
    const domain = await verified(alice, 'dangling.example');
    const link = await createLink(alice, {
      url: 'https://example.com/dangling',
      domain: 'dangling.example',
    });
    expect((await onHost('dangling.example', `/${link.code}`)).status).toBe(302);

    // Present records pass the daily check; a vanished one fails it within one run.
    clock.advance(25 * 3600_000);
    expect((await t.app.domains.recheckAll()).failed).toBe(0);
    dns.txt.delete(domain.verification.name);
    expect(await t.app.domains.recheckAll()).toEqual({ checked: 0, failed: 0 });
    clock.advance(25 * 3600_000);
    const run = await t.app.domains.recheckAll();
    expect(run.failed).toBeGreaterThanOrEqual(1);
    expect((await onHost('dangling.example', `/${link.code}`)).status).toBe(404);
    const view = await alice.api.request('GET', '/api/v1/domains');
    expect(view.body.items.find((d: DomainBody) => d.id === domain.id).status).toBe('failed');

    // Bob takes the host over: Alice's links on it must not resolve there.
    const taken = await verified(bob, 'dangling.example');
    expect(taken.host).toBe('dangling.example');
    expect((await onHost('dangling.example', `/${link.code}`)).status).toBe(404);
    const bobs = await createLink(bob, {
      url: 'https://example.com/bob-dangling',
      domain: 'dangling.example',
    });
    expect(locations(await onHost('dangling.example', `/${bobs.code}`))).toEqual([
      'https://example.com/bob-dangling',
    ]);
    // Across processes the change feed carries the same state.
    const settled = await until(
      () => onHost('dangling.example', `/${link.code}`),
      (res) => res.status === 404,
    );
    expect(settled.ok).toBe(true);
  });

  it('refuses to delete a domain with live links; deleting stops it serving', async () => {
    const domain = await verified(alice, 'delete.alice.example');
    const link: CreatedLink = await createLink(alice, {
      url: 'https://example.com/del',
      domain: 'delete.alice.example',
    });
    expect((await alice.api.request('DELETE', `/api/v1/domains/${domain.id}`)).status).toBe(409);
    expect((await alice.api.request('DELETE', `/api/v1/links/${link.id}`)).status).toBe(204);
    expect((await alice.api.request('DELETE', `/api/v1/domains/${domain.id}`)).status).toBe(204);
    // The host is unknown now: the server's own home page answers, not the domain.
    const root = await onHost('delete.alice.example', '/');
    expect(root.status).toBe(200);
    expect(root.text).not.toContain('Link not found');
    const loop = await alice.api.request('POST', '/api/v1/links', {
      url: 'https://delete.alice.example/x',
    });
    expect(loop.status).toBe(201);
  });

  it('believes X-Forwarded-For and country headers only from trusted proxies', async () => {
    const link = await createLink(alice, {
      url: 'https://example.com/xff',
      password: 'right password',
      rules: [{ when: { country: ['DE'] }, url: 'https://example.com/de' }],
    });
    const body = 'password=wrong';
    const post = (forwardedFor: string) =>
      rawRequest(t.url, `/${link.code}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(body.length),
          'x-forwarded-for': forwardedFor,
        },
      });
    for (let i = 0; i < 5; i++) expect((await post(`198.51.100.${i}`)).status).toBe(401);
    // A new forwarded address from an untrusted peer does not buy a new budget.
    expect((await post('198.51.100.99')).status).toBe(429);

    const open = await createLink(alice, {
      url: 'https://example.com/xff-open',
      rules: [{ when: { country: ['DE'] }, url: 'https://example.com/de' }],
    });
    const res = await hit(t.url, `/${open.code}`, {
      'cf-ipcountry': 'DE',
      'x-country-code': 'DE',
      'x-forwarded-for': '203.0.113.9',
    });
    expect(locations(res)).toEqual(['https://example.com/xff-open']);
  });

  it('answers malformed and oversized requests on domains without a 500', async () => {
    for (const path of ['/%', '/%E0%A4%A', `/${'x'.repeat(70)}`, '/a%00b', '/..%2f']) {
      for (const host of ['localhost', 'go.alice.example']) {
        const res = await onHost(host, path);
        expect(res.status, `${host}${path}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${host}${path}`).toBeLessThan(500);
      }
    }
    const big = await rawRequest(t.url, '/hello', {
      headers: { host: 'go.alice.example', 'x-big': 'y'.repeat(20_000) },
    });
    expect(big.status).toBeLessThan(500);
  });
});
