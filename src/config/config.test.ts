import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('loadConfig', () => {
  it('has working defaults for a one-command start', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8080);
    expect(config.http.baseUrl.origin).toBe('http://localhost:8080');
    expect(config.db.postgresUrl).toBeNull();
    expect(config.accounts.signup).toBe('invite');
    expect(config.stripe.secretKey).toBeNull();
    expect(config.redisUrl).toBeNull();
    expect(config.redisPrefix).toBe('qrlink:');
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ QRLINK_BASE_URL: 'ftp://x' }, 'QRLINK_BASE_URL'],
    [{ QRLINK_BASE_URL: 'https://x.test/path' }, 'QRLINK_BASE_URL'],
    [{ QRLINK_DATABASE_URL: 'mysql://x' }, 'QRLINK_DATABASE_URL'],
    [{ QRLINK_TRUSTED_PROXIES: '10.0.0.0/99' }, 'QRLINK_TRUSTED_PROXIES'],
    [{ QRLINK_TRUSTED_PROXIES: 'not-an-ip' }, 'QRLINK_TRUSTED_PROXIES'],
    [{ QRLINK_SIGNUP: 'sometimes' }, 'QRLINK_SIGNUP'],
    [{ QRLINK_REDIS_URL: 'http://cache:6379' }, 'QRLINK_REDIS_URL'],
    [{ QRLINK_REDIS_PREFIX: 'has spaces' }, 'QRLINK_REDIS_PREFIX'],
    [{ QRLINK_METRICS_TOKEN: 'short' }, 'QRLINK_METRICS_TOKEN'],
    [{ QRLINK_METRICS_TOKEN: 'has a space in it somewhere' }, 'QRLINK_METRICS_TOKEN'],
    [{ QRLINK_SECRET: 'short' }, 'QRLINK_SECRET'],
    [{ STRIPE_SECRET_KEY: 'sk_test_x' }, 'STRIPE_WEBHOOK_SECRET'],
    [{ QRLINK_ALLOW_PRIVATE_DESTINATIONS: 'maybe' }, 'QRLINK_ALLOW_PRIVATE_DESTINATIONS'],
  ])('rejects %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it('refuses private destinations unless QRLINK_ALLOW_PRIVATE_DESTINATIONS is on', () => {
    expect(loadConfig({}).links.allowPrivateDestinations).toBe(false);
    for (const on of ['1', 'true', 'YES'])
      expect(
        loadConfig({ QRLINK_ALLOW_PRIVATE_DESTINATIONS: on }).links.allowPrivateDestinations,
      ).toBe(true);
    for (const off of ['0', 'false', 'no', ''])
      expect(
        loadConfig({ QRLINK_ALLOW_PRIVATE_DESTINATIONS: off }).links.allowPrivateDestinations,
      ).toBe(false);
  });

  it('derives the default base URL from the port, so codes carry the port listened on', () => {
    expect(loadConfig({ PORT: '9000' }).http.baseUrl.origin).toBe('http://localhost:9000');
    expect(loadConfig({ PORT: '80' }).http.baseUrl.origin).toBe('http://localhost');
    const set = loadConfig({ PORT: '9000', QRLINK_BASE_URL: 'https://qr.example.com' });
    expect(set.http.baseUrl.origin).toBe('https://qr.example.com');
    expect(() => loadConfig({ PORT: '0' })).toThrow(/^QRLINK_BASE_URL: is required when PORT is 0/);
    expect(loadConfig({ PORT: '0', QRLINK_BASE_URL: 'http://10.0.0.5:8080' }).http.port).toBe(0);
  });

  it('accepts CIDR lists for trusted proxies', () => {
    const config = loadConfig({ QRLINK_TRUSTED_PROXIES: '10.0.0.0/8, ::1, 192.168.1.1' });
    expect(config.http.trustedProxies).toEqual(['10.0.0.0/8', '::1', '192.168.1.1']);
  });
});
