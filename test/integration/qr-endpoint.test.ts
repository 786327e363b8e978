import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../src/qr/index.js';
import type { RawScan } from '../../src/redirect/queue.js';
import { signUp, startTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { createLink, hit, locations } from '../helpers/redirect.js';

const ZBARIMG = '/usr/bin/zbarimg';
// jsqr is CommonJS typed as an ES module: the callable is module.exports (or its .default).
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ??
  jsQRModule) as unknown as typeof jsQRModule.default;

describe('dynamic QR codes', () => {
  let t: TestApp;
  let user: TestUser;
  let tmp: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { QRLINK_SIGNUP: 'open' } });
    user = await signUp(t.url);
    tmp = mkdtempSync(path.join(tmpdir(), 'qrlink-qr-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function png(id: string, query = 'format=png') {
    const res = await fetch(`${t.url}/api/v1/links/${id}/qr?${query}`, {
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    return {
      bytes: Buffer.from(await res.arrayBuffer()),
      payload: res.headers.get('x-qr-payload'),
    };
  }

  function decodeWithJsqr(bytes: Buffer) {
    const image = PNG.sync.read(bytes);
    const result = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(result).not.toBeNull();
    return { text: result?.data, version: result?.version, width: image.width };
  }

  function decodeWithZbar(bytes: Buffer): string | null {
    if (!existsSync(ZBARIMG)) return null;
    const file = path.join(tmp, `qr-${Date.now()}.png`);
    writeFileSync(file, bytes);
    return execFileSync(ZBARIMG, ['--raw', '-q', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  }

  it('encodes the upper-case short URL with the /Q marker, readable by real decoders', async () => {
    for (const body of [
      { url: 'https://example.com/qr' },
      { url: 'https://example.com/menu', code: 'menu' },
    ]) {
      const link = await createLink(user, body);
      const expected = `HTTP://LOCALHOST:8080/${link.code.toUpperCase()}/Q`;
      const { bytes, payload } = await png(link.id);
      expect(payload).toBe(expected);
      expect(decodeWithJsqr(bytes).text).toBe(expected);
      const zbar = decodeWithZbar(bytes);
      if (zbar !== null) expect(zbar).toBe(expected);
      // Scanning it lands on the link: the marker path redirects like the code itself.
      const scanned = await hit(
        t.url,
        new URL(expected.replace('HTTP://LOCALHOST:8080', 'http://x')).pathname,
      );
      expect(scanned.status).toBe(302);
      expect(locations(scanned)).toEqual([body.url]);
    }
  });

  it('records scans of the marker path as via=qr, others as via=link', async () => {
    const link = await createLink(user, { url: 'https://example.com/via' });
    const queue = t.app.redirect.queue;
    // Observe what the redirect pushes (the scan counter drains the queue concurrently).
    const seen: RawScan[] = [];
    const push = queue.push.bind(queue);
    queue.push = (scan: RawScan) => {
      if (scan.linkId === link.id) seen.push(scan);
      return push(scan);
    };
    try {
      await hit(t.url, `/${link.code}/Q`);
      await hit(t.url, `/${link.code.toLowerCase()}/q`);
      await hit(t.url, `/${link.code}`);
    } finally {
      queue.push = push;
    }
    expect(seen.map((s) => [s.via, s.status, s.code])).toEqual([
      ['qr', 302, link.code],
      ['qr', 302, link.code],
      ['link', 302, link.code],
    ]);
  });

  it('yields a smaller symbol than the lower-case URL would need', async () => {
    const link = await createLink(user, { url: 'https://example.com/small' });
    const { bytes, payload } = await png(link.id, 'format=png&ecc=M');
    const upper = encode(payload as string, { ecc: 'M' });
    const lower = encode((payload as string).toLowerCase(), { ecc: 'M' });
    expect(upper.version).toBeLessThan(lower.version);
    expect(decodeWithJsqr(bytes).version).toBe(upper.version);
    // A typical production short link, too.
    for (const short of ['https://go.example.com/AB12CD34', 'https://qr.example.net/Z9Y8X7W6']) {
      const marked = `${short}/Q`;
      expect(encode(marked.toUpperCase(), { ecc: 'M' }).version).toBeLessThan(
        encode(marked.toLowerCase(), { ecc: 'M' }).version,
      );
    }
  });

  it('renders SVG and honours size, margin, colours and ecc', async () => {
    const link = await createLink(user, { url: 'https://example.com/svg' });
    const svg = await user.api.request('GET', `/api/v1/links/${link.id}/qr?format=svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.body).toMatch(/^<svg[^>]+viewBox=/);
    const byDefault = await user.api.request('GET', `/api/v1/links/${link.id}/qr`);
    expect(byDefault.headers.get('content-type')).toContain('image/svg+xml');

    const styled = await png(link.id, 'format=png&size=300&margin=2&fg=%23112233&bg=ffeedd&ecc=H');
    const decoded = decodeWithJsqr(styled.bytes);
    expect(decoded.text).toBe(styled.payload);
    expect(decoded.width).toBeLessThanOrEqual(300);
    const image = PNG.sync.read(styled.bytes);
    expect([...image.data.subarray(0, 3)]).toEqual([0xff, 0xee, 0xdd]);
    expect(decodeWithZbar(styled.bytes) ?? styled.payload).toBe(styled.payload);
  });

  it('refuses bad options with 400 problem+json, and other workspaces with 404', async () => {
    const link = await createLink(user, { url: 'https://example.com/bad' });
    for (const query of [
      'format=gif',
      'size=5',
      'size=abc',
      'size=100000',
      'ecc=X',
      'margin=-1',
      'margin=500',
      'fg=red',
      'fg=%2312345',
      'bg=%23zzz',
      'colour=%23000',
    ]) {
      const res = await user.api.request('GET', `/api/v1/links/${link.id}/qr?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type'), query).toContain('application/problem+json');
    }
    const stranger = await signUp(t.url);
    expect((await stranger.api.request('GET', `/api/v1/links/${link.id}/qr`)).status).toBe(404);
    expect((await fetch(`${t.url}/api/v1/links/${link.id}/qr`)).status).toBe(401);
  });
});
