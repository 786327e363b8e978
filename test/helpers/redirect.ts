import { expect } from 'vitest';
import type { TestUser } from './app.js';
import { rawRequest, type RawResponse } from './http.js';

/** Real browser and bot user agents, one per rule value the tests exercise. */
export const UA = {
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  android:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  samsung:
    'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  windowsChrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  windowsEdge:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  macSafari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  linuxFirefox: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  chromeos:
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
} as const;

export interface CreatedLink {
  id: string;
  code: string;
  url: string;
  domain: string;
  shortUrl: string;
  qrUrl: string;
}

export async function createLink(user: TestUser, body: Record<string, unknown>) {
  const res = await user.api.request('POST', '/api/v1/links', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as CreatedLink;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Repeats `probe` until `done` holds or `deadlineMs` passes; returns the last result and how
 * long it took. Used for the "reaches every process within a second" checks.
 */
export async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  deadlineMs = 1000,
): Promise<{ value: T; ms: number; ok: boolean }> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    const ms = Date.now() - start;
    if (done(value)) return { value, ms, ok: true };
    if (ms > deadlineMs) return { value, ms, ok: false };
    await sleep(10);
  }
}

/** GET (or another method) of a short-link path with optional user agent and headers. */
export function hit(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawResponse> {
  return rawRequest(baseUrl, path, {
    method,
    headers: { 'user-agent': UA.windowsChrome, ...headers },
  });
}

/** The Location values a response carries (RED-03: exactly one is expected on a redirect). */
export function locations(res: RawResponse): string[] {
  return res.rawHeaders.filter(([name]) => name === 'location').map(([, value]) => value);
}
