import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type Dialect, type TestApp, type TestUser } from '../helpers/app.js';
import { rawRequest } from '../helpers/http.js';
import { postgresMissing } from '../helpers/services.js';

const pgMissing = await postgresMissing();

const BROWSERS = {
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  android:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  windows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const SLACK = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';

interface Visit {
  ip: string;
  ua: string;
  via: 'qr' | 'link';
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Ground truth, decided by the test, not by the code under test. */
  human: boolean;
  country: string;
  device?: string;
  dnt?: boolean;
}

/** Humans from several countries and devices (some repeated), bots, unfurlers, HEAD, prefetch. */
function trafficPlan(): Visit[] {
  const humans: Visit[] = [
    { ip: '8.8.8.8', ua: BROWSERS.iphone, via: 'qr', human: true, country: 'US', device: 'mobile' },
    { ip: '8.8.8.8', ua: BROWSERS.iphone, via: 'qr', human: true, country: 'US', device: 'mobile' },
    {
      ip: '8.8.8.8',
      ua: BROWSERS.iphone,
      via: 'link',
      human: true,
      country: 'US',
      device: 'mobile',
    },
    {
      ip: '85.214.132.117',
      ua: BROWSERS.windows,
      via: 'link',
      human: true,
      country: 'DE',
      device: 'desktop',
    },
    {
      ip: '85.214.132.117',
      ua: BROWSERS.android,
      via: 'qr',
      human: true,
      country: 'DE',
      device: 'mobile',
    },
    {
      ip: '81.2.69.160',
      ua: BROWSERS.android,
      via: 'qr',
      human: true,
      country: 'GB',
      device: 'mobile',
    },
    {
      ip: '133.242.0.1',
      ua: BROWSERS.windows,
      via: 'link',
      human: true,
      country: 'JP',
      device: 'desktop',
    },
    {
      ip: '200.160.2.3',
      ua: BROWSERS.iphone,
      via: 'qr',
      human: true,
      country: 'BR',
      device: 'mobile',
      dnt: true,
    },
    {
      ip: '200.160.2.3',
      ua: BROWSERS.iphone,
      via: 'qr',
      human: true,
      country: 'BR',
      device: 'mobile',
      dnt: true,
    },
  ];
  const others: Visit[] = [
    { ip: '8.8.8.8', ua: GOOGLEBOT, via: 'link', human: false, country: 'US' },
    { ip: '8.8.8.8', ua: GOOGLEBOT, via: 'link', human: false, country: 'US' },
    { ip: '81.2.69.160', ua: SLACK, via: 'link', human: false, country: 'GB' },
    {
      ip: '5.9.0.1',
      ua: BROWSERS.windows,
      via: 'link',
      method: 'HEAD',
      human: false,
      country: 'DE',
    },
    {
      ip: '5.9.0.1',
      ua: BROWSERS.windows,
      via: 'qr',
      headers: { 'sec-purpose': 'prefetch' },
      human: false,
      country: 'DE',
    },
    { ip: '41.0.0.1', ua: 'curl/8.5.0', via: 'link', human: false, country: 'ZA' },
  ];
  return [...humans, ...others];
}

/** The country breakdown some visits must give: total and human scans per country. */
function countByCountry(
  visits: readonly Visit[],
): Record<string, { total: number; human: number }> {
  const countries: Record<string, { total: number; human: number }> = {};
  for (const v of visits) {
    const c = (countries[v.country] ??= { total: 0, human: 0 });
    c.total++;
    if (v.human) c.human++;
  }
  return countries;
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(`analytics on ${dialect}`, () => {
    let t: TestApp;
    let user: TestUser;
    beforeAll(async () => {
      t = await startTestApp({
        dialect,
        env: {
          QRLINK_SIGNUP: 'open',
          QRLINK_BASE_URL: 'http://127.0.0.1:8080',
          QRLINK_TRUSTED_PROXIES: '127.0.0.1/32',
        },
        overrides: { writer: { intervalMs: 20 } },
      });
      user = await signUp(t.url);
    });
    afterAll(() => t?.close());

    async function createLink(body: Record<string, unknown> = {}) {
      const res = await user.api.request('POST', '/api/v1/links', {
        url: 'https://example.com/x',
        ...body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body as { id: string; code: string };
    }

    async function send(code: string, visit: Visit) {
      const res = await rawRequest(t.url, visit.via === 'qr' ? `/${code}/Q` : `/${code}`, {
        method: visit.method ?? 'GET',
        headers: {
          'user-agent': visit.ua,
          'x-forwarded-for': visit.ip,
          'accept-language': 'en-US,en;q=0.9',
          ...(visit.dnt ? { dnt: '1' } : {}),
          ...visit.headers,
        },
      });
      expect(res.status).toBe(302);
    }

    it('matches a known ground truth exactly, through the real redirect endpoint', async () => {
      const link = await createLink();
      const plan = trafficPlan();
      for (const visit of plan) await send(link.code, visit);
      await t.app.analytics.writer.flush();

      const res = await user.api.request(
        'GET',
        `/api/v1/analytics?linkId=${link.id}&interval=hour`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const humans = plan.filter((v) => v.human);
      const uniqueHumans = new Set(humans.filter((v) => !v.dnt).map((v) => `${v.ip}|${v.ua}`));
      expect(res.body.totals).toEqual({
        total: plan.length,
        human: humans.length,
        bot: plan.length - humans.length,
        unique: uniqueHumans.size,
        qr: plan.filter((v) => v.via === 'qr').length,
        link: plan.filter((v) => v.via === 'link').length,
      });
      const seriesTotal = res.body.series.reduce(
        (n: number, p: { total: number }) => n + p.total,
        0,
      );
      expect(seriesTotal).toBe(plan.length);

      const byKey = (entries: { key: string; total: number; human: number }[]) =>
        Object.fromEntries(entries.map((e) => [e.key, { total: e.total, human: e.human }]));
      expect(byKey(res.body.breakdowns.country)).toEqual(countByCountry(plan));
      const devices = byKey(res.body.breakdowns.device);
      expect(devices.mobile?.human).toBe(humans.filter((v) => v.device === 'mobile').length);
      expect(devices.desktop?.human).toBe(humans.filter((v) => v.device === 'desktop').length);
      // Googlebot twice, Slack and curl are not browsers: no device (the HEAD and the prefetch
      // come from a browser's user agent).
      expect(devices['']).toEqual({ total: 4, human: 0 });
      expect(byKey(res.body.breakdowns.via)).toEqual({
        qr: {
          total: plan.filter((v) => v.via === 'qr').length,
          human: humans.filter((v) => v.via === 'qr').length,
        },
        link: {
          total: plan.filter((v) => v.via === 'link').length,
          human: humans.filter((v) => v.via === 'link').length,
        },
      });
      expect(byKey(res.body.breakdowns.class)).toEqual({
        human: { total: humans.length, human: humans.length },
        bot: { total: 3, human: 0 },
        unfurler: { total: 1, human: 0 },
        head: { total: 1, human: 0 },
        prefetch: { total: 1, human: 0 },
      });
      for (const via of ['qr', 'link'] as const) {
        const filtered = await user.api.request(
          'GET',
          `/api/v1/analytics?linkId=${link.id}&interval=hour&via=${via}`,
        );
        const visits = plan.filter((v) => v.via === via);
        expect(byKey(filtered.body.breakdowns.country), via).toEqual(countByCountry(visits));
        const human = visits.filter((v) => v.human).length;
        expect(byKey(filtered.body.breakdowns.class).human, via).toEqual({ total: human, human });
      }

      // Workspace-wide totals come from the workspace rollups and agree.
      const ws = await user.api.request('GET', '/api/v1/analytics');
      expect(ws.body.totals.total).toBeGreaterThanOrEqual(plan.length);

      // The scan counter rules use is the same pipeline's human count.
      const stored = await user.api.request('GET', `/api/v1/links/${link.id}`);
      expect(stored.body.scans).toBe(humans.length);
    });

    it('filters by via and by tag', async () => {
      const tagged = await createLink({ tags: ['Summer_Sale'] });
      await send(tagged.code, {
        ip: '8.8.8.8',
        ua: BROWSERS.windows,
        via: 'qr',
        human: true,
        country: 'US',
      });
      await send(tagged.code, {
        ip: '8.8.8.8',
        ua: BROWSERS.windows,
        via: 'link',
        human: true,
        country: 'US',
      });
      await t.app.analytics.writer.flush();
      const byTag = await user.api.request('GET', '/api/v1/analytics?tag=summer_sale');
      expect(byTag.body.totals.total).toBe(2);
      const qrOnly = await user.api.request('GET', `/api/v1/analytics?linkId=${tagged.id}&via=qr`);
      expect(qrOnly.body.totals).toMatchObject({ total: 1, qr: 1, link: 0 });
    });

    it('buckets series by day in a time zone and rejects bad ranges', async () => {
      const res = await user.api.request('GET', '/api/v1/analytics?interval=day&tz=Europe/Berlin');
      expect(res.status).toBe(200);
      expect(res.body.series.length).toBeGreaterThanOrEqual(30);
      for (const bad of ['tz=Mars/Base', 'interval=year']) {
        const r = await user.api.request('GET', `/api/v1/analytics?${bad}`);
        expect(r.status, bad).toBe(400);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
      }
      const hourly = await user.api.request(
        'GET',
        '/api/v1/analytics?interval=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z',
      );
      expect(hourly.status).toBe(422);
      expect(hourly.body.errors).toEqual([
        { field: 'querystring:/interval', message: expect.stringContaining('31 days') },
      ]);
    });

    it('bounds the range of the chart API and the CSV export alike: 400 days, refused with a field error', async () => {
      const to = Date.parse('2026-03-01T00:00:00Z');
      const range = (days: number) =>
        `from=${new Date(to - days * 86_400_000).toISOString()}&to=${new Date(to).toISOString()}`;
      for (const path of ['/api/v1/analytics', '/api/v1/analytics/export']) {
        expect((await user.api.request('GET', `${path}?${range(400)}`)).status, path).toBe(200);
        for (const [query, message] of [
          [range(401), 'at most 400 days'],
          [range(365 * 100), 'at most 400 days'],
          ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'before to'],
        ] as const) {
          const res = await user.api.request('GET', `${path}?${query}`);
          expect(res.status, `${path}?${query}`).toBe(422);
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(res.body.errors).toEqual([
            { field: 'querystring:/from', message: expect.stringContaining(message) },
          ]);
        }
      }
    });

    it("answers 404 for another workspace's link", async () => {
      const other = await signUp(t.url, 'other');
      const link = await createLink();
      const res = await other.api.request('GET', `/api/v1/analytics?linkId=${link.id}`);
      expect(res.status).toBe(404);
      const csv = await other.api.request('GET', `/api/v1/analytics/export?linkId=${link.id}`);
      expect(csv.status).toBe(404);
    });

    it('streams raw events as CSV, without IPs or full user agents', async () => {
      const link = await createLink();
      await send(link.code, {
        ip: '133.242.0.1',
        ua: BROWSERS.android,
        via: 'qr',
        human: true,
        country: 'JP',
      });
      await send(link.code, {
        ip: '133.242.0.1',
        ua: GOOGLEBOT,
        via: 'link',
        human: false,
        country: 'JP',
      });
      await t.app.analytics.writer.flush();
      const res = await fetch(`${t.url}/api/v1/analytics/export?linkId=${link.id}`, {
        headers: { authorization: `Bearer ${user.key}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      const lines = (await res.text()).trim().split('\n');
      expect(lines[0]).toMatch(/^id,time,link_id,/);
      expect(lines).toHaveLength(3);
      expect(lines.join('\n')).not.toContain('133.242.0.1');
      expect(lines.join('\n')).not.toContain('Googlebot');
      expect(lines.some((l) => l.includes(',JP,'))).toBe(true);
    });

    it('shows each scan on the live stream within a second, bots marked', async () => {
      const link = await createLink();
      const controller = new AbortController();
      const res = await fetch(`${t.url}/api/v1/analytics/live`, {
        headers: { authorization: `Bearer ${user.key}` },
        signal: controller.signal,
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      const nextEvent = async (type: string, deadline: number) => {
        for (;;) {
          const match = new RegExp(`event: ${type}\\ndata: (.*)\\n\\n`).exec(buffer);
          if (match) {
            buffer = buffer.slice((match.index ?? 0) + match[0].length);
            return JSON.parse(match[1] as string) as Record<string, unknown>;
          }
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`no ${type} event in time`);
          const chunk = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), left)),
          ]);
          buffer += decoder.decode(chunk.value);
        }
      };
      await nextEvent('ready', Date.now() + 2000);
      const started = Date.now();
      await send(link.code, {
        ip: '8.8.8.8',
        ua: GOOGLEBOT,
        via: 'link',
        human: false,
        country: 'US',
      });
      const event = await nextEvent('scan', started + 1000);
      expect(event).toMatchObject({ linkId: link.id, bot: true, class: 'bot', via: 'link' });
      await send(link.code, {
        ip: '8.8.8.8',
        ua: BROWSERS.iphone,
        via: 'qr',
        human: true,
        country: 'US',
      });
      expect(await nextEvent('scan', Date.now() + 1000)).toMatchObject({
        bot: false,
        via: 'qr',
        country: 'US',
      });
      controller.abort();
    });
  });
}

describe('analytics durability and privacy', () => {
  it('records nothing for a do-not-track link or workspace, and still redirects (PRV-09)', async () => {
    const t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open', QRLINK_BASE_URL: 'http://127.0.0.1:8080' },
    });
    try {
      const user = await signUp(t.url);
      const quiet = (
        await user.api.request('POST', '/api/v1/links', {
          url: 'https://example.com/quiet',
          track: false,
        })
      ).body as { code: string };
      const loud = (
        await user.api.request('POST', '/api/v1/links', { url: 'https://example.com/loud' })
      ).body as { code: string };
      const accepted = () => t.app.redirect.queue.accepted;
      const before = accepted();
      expect((await rawRequest(t.url, `/${quiet.code}`)).status).toBe(302);
      expect(accepted()).toBe(before);
      expect((await rawRequest(t.url, `/${loud.code}`)).status).toBe(302);
      expect(accepted()).toBe(before + 1);

      const patch = await user.api.request('PATCH', `/api/v1/workspaces/${user.workspaceId}`, {
        track: false,
      });
      expect(patch.status).toBe(200);
      expect(patch.body.track).toBe(false);
      const deadline = Date.now() + 1000;
      let counted = true;
      while (Date.now() < deadline && counted) {
        const mark = accepted();
        expect((await rawRequest(t.url, `/${loud.code}`)).status).toBe(302);
        counted = accepted() !== mark;
      }
      expect(counted).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('keeps redirecting when the writer is stopped; the queue counts drops instead (ANA-01)', async () => {
    const t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open', QRLINK_BASE_URL: 'http://127.0.0.1:8080' },
      overrides: { queueCapacity: 20 },
    });
    try {
      const user = await signUp(t.url);
      const link = (
        await user.api.request('POST', '/api/v1/links', { url: 'https://example.com/q' })
      ).body as { code: string };
      t.app.analytics.writer.pause();
      for (let i = 0; i < 50; i++) {
        const res = await rawRequest(t.url, `/${link.code}`, {
          headers: { 'user-agent': BROWSERS.windows },
        });
        expect(res.status).toBe(302);
      }
      expect(t.app.redirect.queue.size).toBe(20);
      expect(t.app.redirect.queue.dropped).toBe(30);
      const metrics = await rawRequest(t.url, '/metrics');
      expect(metrics.text).toContain('qrlink_scan_events_dropped_total 30');
      t.app.analytics.writer.resume();
      await t.app.analytics.writer.flush();
      expect(t.app.analytics.writer.stats.written).toBe(20);
    } finally {
      await t.close();
    }
  });

  it('drops nothing on a graceful stop and stores no raw IP anywhere (PRV-01)', async () => {
    const t = await startTestApp({
      env: {
        QRLINK_SIGNUP: 'open',
        QRLINK_BASE_URL: 'http://127.0.0.1:8080',
        QRLINK_TRUSTED_PROXIES: '127.0.0.1/32',
      },
      overrides: { writer: { intervalMs: 60_000 } },
    });
    const user = await signUp(t.url);
    const link = (await user.api.request('POST', '/api/v1/links', { url: 'https://example.com/p' }))
      .body as { code: string; id: string };
    const ips = Array.from(
      { length: 200 },
      (_, i) => `8.8.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    );
    for (const ip of ips) {
      await rawRequest(t.url, `/${link.code}`, {
        headers: { 'user-agent': BROWSERS.android, 'x-forwarded-for': ip },
      });
    }
    const { dataDir, logs } = t;
    // The writer interval is a minute: only the graceful stop can have written these.
    await t.app.close();
    const reopened = await startTestApp({ env: { QRLINK_DATA_DIR: dataDir } });
    try {
      const count = await reopened.app.ctx.db
        .selectFrom('scan_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('link_id', '=', link.id)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(ips.length);
      await reopened.app.database.close().catch(() => undefined);
      const stores = readdirSync(dataDir).map((f) =>
        readFileSync(path.join(dataDir, f)).toString('latin1'),
      );
      for (const ip of ips) {
        for (const store of [...stores, logs.join('\n')]) expect(store.includes(ip)).toBe(false);
      }
    } finally {
      await reopened.close().catch(() => undefined);
    }
  });
});
