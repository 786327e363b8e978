/**
 * bench:redirect's Fastify-routed variant: the same app and redirect engine as `qrlink serve`,
 * but short links reach the engine through a Fastify catch-all route (hijacked reply, raw
 * request and response) instead of the node:http pre-dispatch in app.ts. The route lives on
 * an instance built by createApi (the API's Fastify options and plugins) without the API's
 * hooks, so its cost is a lower bound for routing short links through the API's instance;
 * what is not a short link goes on to the API's router (so /metrics answers here too).
 */
import { createServer } from 'node:http';
import type * as AppModule from '../src/app.js';
import type * as ConfigModule from '../src/config/index.js';
import type * as ServerModule from '../src/http/server.js';

// The compiled modules `qrlink serve` runs, so both variants execute the same engine code.
const dist = new URL('../dist/', import.meta.url);
const load = async <T>(file: string) => (await import(new URL(file, dist).href)) as T;
const { buildApp } = await load<typeof AppModule>('app.js');
const { loadConfig } = await load<typeof ConfigModule>('config/index.js');
const { createApi } = await load<typeof ServerModule>('http/server.js');

const config = loadConfig(process.env);
const app = await buildApp(config);
const api = await createApi({
  logger: app.ctx.log,
  bodyLimit: config.http.bodyLimit,
  publicOrigin: config.http.baseUrl.origin,
  serverFactory: (handler) => {
    const server = createServer(handler);
    server.keepAliveTimeout = 65_000;
    return server;
  },
});
api.get('/*', (request, reply) => {
  reply.hijack();
  if (!app.redirect.handle(request.raw, reply.raw)) app.api.routing(request.raw, reply.raw);
});
await api.listen({ port: config.http.port, host: config.http.host });
process.once('SIGTERM', () => {
  void api.close().then(() => app.close());
});
