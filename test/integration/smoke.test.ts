import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, signUp, startTestApp, type TestApp } from '../helpers/app.js';

describe('server smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { QRLINK_SIGNUP: 'open' } });
  });
  afterAll(() => t.close());

  it('answers health, readiness and metrics', async () => {
    const anon = caller(t.url);
    expect((await anon.request('GET', '/healthz')).status).toBe(200);
    expect((await anon.request('GET', '/readyz')).body).toEqual({ status: 'ready' });
    const metrics = await anon.request('GET', '/metrics');
    expect(metrics.body).toContain('qrlink_http_requests_total');
    expect(metrics.body).toContain('qrlink_event_loop_lag_p99_seconds');
    expect(metrics.body).toContain('qrlink_db_pool_connections');
  });

  it('signs up, creates a key and answers /me with it', async () => {
    const user = await signUp(t.url);
    const me = await user.api.request('GET', '/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(user.email);
    expect(me.body.workspace).toMatchObject({ id: user.workspaceId, role: 'owner' });
    expect(me.body.auth).toBe('apiKey');
  });
});

describe('/metrics with QRLINK_METRICS_TOKEN', () => {
  const token = 'scrape-token-0123456789';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { QRLINK_METRICS_TOKEN: token } });
  });
  afterAll(() => t.close());

  it('answers only a scraper that sends the token', async () => {
    const anon = caller(t.url);
    const refused = await anon.request('GET', '/metrics');
    expect(refused.status).toBe(401);
    expect(String(refused.headers.get('content-type'))).toContain('application/problem+json');
    expect(JSON.stringify(refused.body)).not.toContain('qrlink_http_requests_total');
    const wrong = await anon.request('GET', '/metrics', undefined, {
      authorization: `Bearer ${token}x`,
    });
    expect(wrong.status).toBe(401);
    const scraped = await anon.request('GET', '/metrics', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('qrlink_http_requests_total');
    expect((await anon.request('GET', '/healthz')).status).toBe(200);
  });
});
