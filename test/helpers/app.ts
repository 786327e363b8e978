import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildApp, type App, type AppOverrides } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createScratchPostgres, type ScratchPostgres } from './services.js';

export type Dialect = 'sqlite' | 'postgres';

export interface TestApp {
  app: App;
  url: string;
  dataDir: string;
  /** Every log line the app wrote (JSON), for tests that check what is (not) logged. */
  logs: string[];
  /** Stops the server and starts a new one on the same data folder and database (`app`, `url` change). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A real server on a random port with its own data folder (and its own PostgreSQL database). */
export async function startTestApp(
  options: { dialect?: Dialect; env?: Record<string, string>; overrides?: AppOverrides } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qrlink-test-'));
  let scratch: ScratchPostgres | null = null;
  if (options.dialect === 'postgres') scratch = await createScratchPostgres();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const config = loadConfig({
    QRLINK_DATA_DIR: dataDir,
    QRLINK_HOST: '127.0.0.1',
    QRLINK_SECRET: 'test-secret-test-secret-test-secret-0000',
    ...(scratch ? { QRLINK_DATABASE_URL: scratch.url } : {}),
    ...options.env,
  });
  const start = async () => {
    const app = await buildApp(config, {
      logger: pino({ level: 'info' }, sink),
      ...options.overrides,
    });
    return { app, url: await app.listen(0) };
  };
  const testApp: TestApp = {
    ...(await start()),
    dataDir,
    logs,
    async restart() {
      await testApp.app.close();
      Object.assign(testApp, await start());
    },
    async close() {
      await testApp.app.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}

export interface Caller {
  /** JSON request; returns status, headers and parsed body. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
}

export function caller(baseUrl: string, auth: { key?: string; cookie?: string } = {}): Caller {
  return {
    async request(method, path, body, headers = {}) {
      const res = await fetch(baseUrl + path, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(auth.key ? { authorization: `Bearer ${auth.key}` } : {}),
          ...(auth.cookie ? { cookie: auth.cookie } : {}),
          ...headers,
        },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        redirect: 'manual',
      });
      if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
        // A live stream never ends: the status and headers are what a generic caller can check.
        await res.body?.cancel();
        return { status: res.status, headers: res.headers, body: null };
      }
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON (HTML pages, CSV, images): hand back the text.
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
  };
}

export interface TestUser {
  userId: string;
  workspaceId: string;
  email: string;
  password: string;
  cookie: string;
  key: string;
  api: Caller;
  session: Caller;
}

let counter = 0;

/** Signs up through the API (open sign-up) and creates a full-scope key for the new workspace. */
export async function signUp(baseUrl: string, prefix = 'user'): Promise<TestUser> {
  const email = `${prefix}${++counter}-${Date.now()}@example.test`;
  const password = 'correct horse battery';
  const res = await fetch(`${baseUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const me = (await res.json()) as { user: { id: string }; workspace: { id: string } };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const session = caller(baseUrl, { cookie });
  const created = await session.request('POST', '/api/v1/api-keys', {
    name: 'test',
    scopes: [
      'links:read',
      'links:write',
      'analytics:read',
      'domains:write',
      'billing:read',
      'workspace:admin',
    ],
  });
  if (created.status !== 201)
    throw new Error(`key failed: ${created.status} ${JSON.stringify(created.body)}`);
  return {
    userId: me.user.id,
    workspaceId: me.workspace.id,
    email,
    password,
    cookie,
    key: created.body.key,
    api: caller(baseUrl, { key: created.body.key }),
    session,
  };
}
