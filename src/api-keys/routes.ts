import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { Api } from '../http/server.js';
import {
  Id,
  iso,
  isoOrNull,
  page,
  PageQuery,
  SingleLine,
  Timestamp,
  withErrors,
} from '../http/schemas.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import { actorOf } from '../workspaces/routes.js';
import { SCOPES } from '../workspaces/roles.js';
import * as repo from './repo.js';
import { createApiKey, revokeApiKey } from './service.js';

const ScopeSchema = Type.Union(SCOPES.map((s) => Type.Literal(s)));

const CreateKeyBody = Type.Object(
  {
    name: SingleLine({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
    mode: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('test')])),
  },
  { additionalProperties: false },
);

const KeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  mode: Type.String(),
  last4: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
});

const CreatedKeyView = Type.Object({
  ...KeyView.properties,
  key: Type.String({ description: 'The full key. Shown once: store it now.' }),
});

export function apiKeyRoutes(app: Api, ctx: AppContext): void {
  const tags = ['api-keys'];

  app.get(
    '/api/v1/api-keys',
    {
      schema: {
        tags,
        summary: "The workspace's active API keys (never the keys themselves)",
        querystring: PageQuery,
        response: withErrors({ 200: page(KeyView) }),
      },
      config: { auth: 'workspace', permission: 'keys:manage' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const limit = request.query.limit ?? 50;
      const cursor = decodeCursor(request.query.cursor);
      const rows = (await repo.listKeys(ctx.db, workspace.id))
        .filter((k) => cursor === null || k.id > cursor)
        .slice(0, limit + 1);
      return toPage(rows, limit, (k) => ({
        id: k.id,
        name: k.name,
        mode: k.mode,
        last4: k.last4,
        scopes: k.scopes.split(' ').filter(Boolean),
        createdAt: iso(k.created_at),
        lastUsedAt: isoOrNull(k.last_used_at),
      }));
    },
  );

  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key (the key is shown once)',
        body: CreateKeyBody,
        response: withErrors({ 201: CreatedKeyView }),
      },
      config: { auth: 'workspace', permission: 'keys:manage', idempotent: true },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const created = await createApiKey(ctx, {
        workspaceId: actor.workspace.id,
        userId: actor.principal.userId,
        role: actor.workspace.role,
        name: request.body.name,
        mode: request.body.mode ?? 'live',
        scopes: request.body.scopes,
        ip: actor.ip,
      });
      return reply
        .code(201)
        .send({ ...created, createdAt: iso(created.createdAt), lastUsedAt: null });
    },
  );

  app.delete(
    '/api/v1/api-keys/:keyId',
    {
      schema: {
        tags,
        summary: 'Revoke an API key (effective immediately)',
        params: Type.Object({ keyId: Id }, { additionalProperties: false }),
        response: withErrors({ 204: Type.Null() }),
      },
      config: { auth: 'workspace', permission: 'keys:manage' },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await revokeApiKey(ctx, {
        workspaceId: actor.workspace.id,
        id: request.params.keyId,
        actor: actor.principal,
        ip: actor.ip,
      });
      return reply.code(204).send(null);
    },
  );
}
