import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
} from 'fastify';
import { registerErrorHandling } from './errors.js';
import { trackRoutes } from './route-table.js';
import { Problem, problemResponse } from './schemas.js';
import { sessionCookieName } from './session-cookie.js';

export type Api = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

// ajv-formats is CommonJS with a default export; under NodeNext its callable is `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function makeAjv(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    // Errors carry the failing schema, so a union of constants can be reported as one list.
    verbose: true,
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

export interface ApiOptions {
  logger: FastifyBaseLogger;
  bodyLimit: number;
  serverFactory: FastifyServerFactory;
  publicOrigin: string;
}

/**
 * The Fastify instance with the conventions every route follows: strict body validation
 * (wrong types and unknown fields are refused, never coerced or stripped), problem+json
 * errors, cookies and the OpenAPI 3.1 document generated from the route schemas.
 */
export async function createApi(options: ApiOptions): Promise<Api> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    serverFactory: options.serverFactory,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // Fastify's own request log includes the client address; ours (metrics.ts) does not (PRV-01).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: false },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const strict = makeAjv(false);
  const coercing = makeAjv('array');
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema),
  );
  trackRoutes(app);
  documentConventions(app);
  // JSON only: a text/plain body (what a cross-site form can send without a preflight) is 415.
  app.removeContentTypeParser('text/plain');
  app.addSchema(Problem);
  registerErrorHandling(app);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'qrlink API',
        version: '1.0.0',
        description:
          'QR codes and smart links. Authenticate with `Authorization: Bearer qrl_…` (API key) or the session cookie. Errors are application/problem+json (RFC 9457).',
      },
      servers: [{ url: options.publicOrigin }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'qrl_live_… or qrl_test_…' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: sessionCookieName(new URL(options.publicOrigin)),
          },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
  return app;
}

/** Adds the error answers the shared hooks give to each route's documented responses. */
function documentConventions(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (!response) return;
    const add = (status: number, description: string) => {
      response[status] ??= problemResponse(description);
    };
    if (route.schema?.body) {
      add(413, 'The body is larger than QRLINK_BODY_LIMIT');
      add(415, 'The body is not application/json');
    }
    if (route.config?.idempotent) {
      add(409, 'A request with this Idempotency-Key is still in progress');
      add(422, 'This Idempotency-Key was used with a different request');
    }
  });
}
