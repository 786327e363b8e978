import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import type { CliIo } from '../cli/io.js';

/**
 * The only reader of process.env. Every variable is documented here, parsed once, and a bad
 * value stops start-up with a ConfigError naming the variable.
 */

export type SignupMode = 'open' | 'invite' | 'closed';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  http: {
    /** PORT: TCP port to listen on (default 8080). */
    port: number;
    /** QRLINK_HOST: interface to bind (default 0.0.0.0). */
    host: string;
    /**
     * QRLINK_BASE_URL: public origin of the API, dashboard and default short domain; unset,
     * http://localhost:PORT (the port actually listened on, so codes work on this machine).
     */
    baseUrl: URL;
    /** QRLINK_TRUSTED_PROXIES: CIDR list whose X-Forwarded-For is believed (default none). */
    trustedProxies: readonly string[];
    /**
     * QRLINK_OWN_HOSTS: further host names and IP addresses that reach this service (its public
     * IPs, a load balancer's name), comma-separated; link destinations on them are refused as
     * redirect loops like the base URL's host and the verified custom domains (RED-05).
     */
    ownHosts: readonly string[];
    /** QRLINK_BODY_LIMIT: largest accepted request body in bytes (default 64 KiB). */
    bodyLimit: number;
    /** QRLINK_METRICS_TOKEN: bearer token /metrics requires (≥ 16 chars); unset: open. */
    metricsToken: string | null;
  };
  db: {
    /** QRLINK_DATA_DIR: folder for the SQLite file and the generated server secret (default ./data). */
    dataDir: string;
    /** QRLINK_DATABASE_URL: postgres://… switches from SQLite to PostgreSQL. */
    postgresUrl: string | null;
  };
  /** QRLINK_SECRET: server secret for keyed hashes and signed cookies (≥ 32 chars); generated into the data dir when unset. */
  secret: string | null;
  accounts: {
    /** QRLINK_SIGNUP: open | invite | closed (default invite; the first user can always sign up). */
    signup: SignupMode;
  };
  links: {
    /**
     * QRLINK_ALLOW_PRIVATE_DESTINATIONS: 1 lets links point at loopback, private, link-local and
     * other non-public addresses and local names (intranet deployments); default 0: refused.
     */
    allowPrivateDestinations: boolean;
  };
  mail: {
    /** QRLINK_SMTP_URL: smtp://user:pass@host:port or smtps://…; without it e-mails are logged, not sent. */
    smtpUrl: string | null;
    /** QRLINK_MAIL_FROM: sender address (default qrlink <no-reply@BASE_URL host>). */
    from: string;
  };
  /** QRLINK_REDIS_URL: shared counters (rate limits) in Redis instead of process memory. */
  redisUrl: string | null;
  /** QRLINK_REDIS_PREFIX: namespace of every Redis key (several deployments on one Redis). */
  redisPrefix: string;
  /** QRLINK_NATS_URL: scan events through NATS JetStream (scale-out mode). */
  natsUrl: string | null;
  /** QRLINK_DNS_SERVERS: resolvers (ip or ip:port, comma-separated) for domain verification; default: the system's. */
  dnsServers: readonly string[];
  /** QRLINK_GEOIP_DB: a MaxMind-format (.mmdb) country or city database. */
  geoipDb: string | null;
  stripe: {
    /** STRIPE_SECRET_KEY: enables billing; without it the server runs in self-hosted mode. */
    secretKey: string | null;
    /** STRIPE_WEBHOOK_SECRET: signing secret of the webhook endpoint (whsec_…). */
    webhookSecret: string | null;
  };
  plans: {
    /** QRLINK_DEFAULT_PLAN: plan of new workspaces (default free with Stripe, unlimited without). */
    defaultPlan: string;
    /** QRLINK_PLANS_FILE: JSON file replacing the default plan catalogue (see docs/billing.md). */
    file: string | null;
    /** QRLINK_STRIPE_PRICES: plan=price_id pairs, comma-separated (e.g. pro=price_123,business=price_456). */
    stripePrices: Readonly<Record<string, string>>;
    /** QRLINK_GRACE_DAYS: days premium features last after a failed payment (default 14). */
    graceDays: number;
  };
  /** QRLINK_LOG_LEVEL: fatal | error | warn | info | debug | trace | silent (default info). */
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function str(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name);
  if (raw === null) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function flag(env: Env, name: string): boolean {
  const raw = str(env, name);
  if (raw === null) return false;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be 1 or 0 (true or false), got "${raw}"`);
}

function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const raw = str(env, name);
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function redisPrefix(env: Env, name: string): string {
  const raw = str(env, name) ?? 'qrlink:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(raw)) {
    throw new ConfigError(
      name,
      'must be 1 to 64 characters of letters, digits, ":", "_", "." or "-"',
    );
  }
  return raw;
}

function baseUrl(env: Env, port: number): URL {
  const name = 'QRLINK_BASE_URL';
  const configured = url(env, name, ['http:', 'https:']);
  if (configured === null && port === 0) {
    throw new ConfigError(name, 'is required when PORT is 0 (a port chosen at start)');
  }
  const raw = configured ?? `http://localhost:${port}`;
  const parsed = new URL(raw);
  if (parsed.pathname !== '/' || parsed.search || parsed.hash || parsed.username) {
    throw new ConfigError(
      name,
      'must be an origin such as https://qr.example.com (no path, query or credentials)',
    );
  }
  return parsed;
}

function cidrList(env: Env, name: string): string[] {
  const raw = str(env, name);
  if (raw === null) return [];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const check = new BlockList();
  for (const entry of list) {
    const [address, prefix] = entry.split('/');
    const family = address ? isIP(address) : 0;
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (!family || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      throw new ConfigError(name, `"${entry}" is not an IP address or CIDR range`);
    }
    check.addSubnet(address as string, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

function pairs(env: Env, name: string): Record<string, string> {
  const raw = str(env, name);
  if (raw === null) return {};
  const out: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    const [key, value] = entry.split('=').map((part) => part.trim());
    if (!key || !value)
      throw new ConfigError(name, `"${entry.trim()}" is not of the form plan=price_id`);
    out[key] = value;
  }
  return out;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?$/i;

function hostList(env: Env, name: string): string[] {
  const raw = str(env, name);
  if (raw === null) return [];
  return raw.split(',').map((entry) => {
    const host = entry.trim();
    const ipv6 = /^\[([0-9a-f:.]+)\]$/i.exec(host);
    if (ipv6 ? isIP(ipv6[1] as string) === 6 : isIP(host) === 4 || HOST_NAME.test(host))
      return host;
    throw new ConfigError(
      name,
      `"${host}" is not a host name, an IPv4 address or a [bracketed] IPv6 address`,
    );
  });
}

function dnsServers(env: Env, name: string): string[] {
  const raw = str(env, name);
  if (raw === null) return [];
  return raw.split(',').map((entry) => {
    const server = entry.trim();
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
    const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : server.split(/:(?=\d+$)/);
    if (
      !host ||
      isIP(host) === 0 ||
      (port !== undefined && !(Number(port) > 0 && Number(port) < 65536))
    ) {
      throw new ConfigError(name, `"${server}" is not an IP address with an optional port`);
    }
    return server;
  });
}

export function loadConfig(env: Env): Config {
  const port = int(env, 'PORT', 8080, 0, 65535);
  const base = baseUrl(env, port);
  const secret = str(env, 'QRLINK_SECRET');
  if (secret !== null && secret.length < 32) {
    throw new ConfigError('QRLINK_SECRET', 'must be at least 32 characters long');
  }
  const metricsToken = str(env, 'QRLINK_METRICS_TOKEN');
  if (metricsToken !== null && !/^[\x21-\x7e]{16,256}$/.test(metricsToken)) {
    throw new ConfigError(
      'QRLINK_METRICS_TOKEN',
      'must be 16 to 256 printable ASCII characters without spaces',
    );
  }
  const config: Config = {
    http: {
      port,
      host: str(env, 'QRLINK_HOST') ?? '0.0.0.0',
      baseUrl: base,
      trustedProxies: cidrList(env, 'QRLINK_TRUSTED_PROXIES'),
      ownHosts: hostList(env, 'QRLINK_OWN_HOSTS'),
      bodyLimit: int(env, 'QRLINK_BODY_LIMIT', 64 * 1024, 1024, 16 * 1024 * 1024),
      metricsToken,
    },
    db: {
      dataDir: path.resolve(str(env, 'QRLINK_DATA_DIR') ?? './data'),
      postgresUrl: url(env, 'QRLINK_DATABASE_URL', ['postgres:', 'postgresql:']),
    },
    secret,
    accounts: { signup: oneOf(env, 'QRLINK_SIGNUP', ['open', 'invite', 'closed'], 'invite') },
    links: { allowPrivateDestinations: flag(env, 'QRLINK_ALLOW_PRIVATE_DESTINATIONS') },
    mail: {
      smtpUrl: url(env, 'QRLINK_SMTP_URL', ['smtp:', 'smtps:']),
      from: str(env, 'QRLINK_MAIL_FROM') ?? `qrlink <no-reply@${base.hostname}>`,
    },
    redisUrl: url(env, 'QRLINK_REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: redisPrefix(env, 'QRLINK_REDIS_PREFIX'),
    natsUrl: url(env, 'QRLINK_NATS_URL', ['nats:', 'tls:']),
    geoipDb: str(env, 'QRLINK_GEOIP_DB'),
    dnsServers: dnsServers(env, 'QRLINK_DNS_SERVERS'),
    stripe: {
      secretKey: str(env, 'STRIPE_SECRET_KEY'),
      webhookSecret: str(env, 'STRIPE_WEBHOOK_SECRET'),
    },
    plans: {
      defaultPlan:
        str(env, 'QRLINK_DEFAULT_PLAN') ?? (str(env, 'STRIPE_SECRET_KEY') ? 'free' : 'unlimited'),
      file: str(env, 'QRLINK_PLANS_FILE'),
      stripePrices: pairs(env, 'QRLINK_STRIPE_PRICES'),
      graceDays: int(env, 'QRLINK_GRACE_DAYS', 14, 0, 365),
    },
    logLevel: oneOf(
      env,
      'QRLINK_LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
  };
  if (config.stripe.secretKey && !config.stripe.webhookSecret) {
    throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'is required when STRIPE_SECRET_KEY is set');
  }
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof URL)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Adds the variables of `.env` in the working folder (or of the file QRLINK_ENV_FILE names) to
 * the process's environment, never replacing one already set there: flags > environment >
 * .env > defaults. A missing `.env` is no error; a missing QRLINK_ENV_FILE is.
 */
function loadEnvFile(): void {
  const named = process.env.QRLINK_ENV_FILE?.trim() || null;
  const file = path.resolve(named ?? '.env');
  try {
    process.loadEnvFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (named === null && code === 'ENOENT') return;
    throw new ConfigError(
      named === null ? '.env' : 'QRLINK_ENV_FILE',
      `cannot read ${file} (${code})`,
    );
  }
}

/** The process's real streams and environment (with `.env`), for the CLI entry point. */
export function processIo(): CliIo {
  loadEnvFile();
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
