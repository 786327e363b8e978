import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { Api } from '../http/server.js';
import {
  Id,
  iso,
  isoOrNull,
  page,
  PageQuery,
  problemResponse,
  Timestamp,
  withErrors,
} from '../http/schemas.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import { actorOf } from '../workspaces/routes.js';
import * as repo from './repo.js';
import { toDomainView, type DomainsService, type DomainView } from './service.js';

const Url = Type.String({ minLength: 1, maxLength: 2048 });
const DomainParams = Type.Object({ domainId: Id }, { additionalProperties: false });

const DomainSchema = Type.Object({
  id: Type.String(),
  host: Type.String(),
  status: Type.String({ description: 'pending | active | failed' }),
  verification: Type.Object({
    type: Type.Literal('TXT'),
    name: Type.String(),
    value: Type.String(),
  }),
  verifiedAt: Type.Union([Timestamp, Type.Null()]),
  checkedAt: Type.Union([Timestamp, Type.Null()]),
  rootUrl: Type.Union([Type.String(), Type.Null()]),
  notFoundUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});

const CreateDomainBody = Type.Object(
  {
    host: Type.String({
      minLength: 1,
      maxLength: 253,
      description: 'A bare domain name such as go.example.com: no scheme, path, port or IP',
    }),
    rootUrl: Type.Optional(Url),
    notFoundUrl: Type.Optional(Url),
  },
  { additionalProperties: false },
);
const UpdateDomainBody = Type.Object(
  {
    rootUrl: Type.Optional(Type.Union([Url, Type.Null()])),
    notFoundUrl: Type.Optional(Type.Union([Url, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

function render(view: DomainView) {
  return {
    ...view,
    verifiedAt: isoOrNull(view.verifiedAt),
    checkedAt: isoOrNull(view.checkedAt),
    createdAt: iso(view.createdAt),
  };
}

export function domainRoutes(app: Api, ctx: AppContext, service: DomainsService): void {
  const tags = ['domains'];

  app.get(
    '/api/v1/domains',
    {
      schema: {
        tags,
        summary: "The workspace's custom domains",
        querystring: PageQuery,
        response: withErrors({ 200: page(DomainSchema) }),
      },
      config: { auth: 'workspace', permission: 'domains:read' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await repo.listDomains(
        ctx.db,
        workspace.id,
        decodeCursor(request.query.cursor),
        limit,
      );
      return toPage(rows, limit, (row) => render(toDomainView(row)));
    },
  );

  app.post(
    '/api/v1/domains',
    {
      schema: {
        tags,
        summary: 'Add a custom domain; it serves links once its DNS TXT record is verified',
        body: CreateDomainBody,
        response: withErrors({
          201: DomainSchema,
          409: { $ref: 'Problem' },
          422: problemResponse(
            'The host is not a bare public domain name (`errors` says why), or this ' +
              'Idempotency-Key was used with a different request',
          ),
        }),
      },
      config: { auth: 'workspace', permission: 'domains:write', idempotent: true },
    },
    async (request, reply) => {
      const { workspace, principal, ip } = actorOf(request);
      return reply
        .code(201)
        .send(render(await service.create(workspace.id, principal.userId, request.body, ip)));
    },
  );

  app.patch(
    '/api/v1/domains/:domainId',
    {
      schema: {
        tags,
        summary: "Set a domain's root and not-found URLs",
        params: DomainParams,
        body: UpdateDomainBody,
        response: withErrors({ 200: DomainSchema }),
      },
      config: { auth: 'workspace', permission: 'domains:write' },
    },
    async (request) =>
      render(
        await service.update(actorOf(request).workspace.id, request.params.domainId, request.body),
      ),
  );

  app.post(
    '/api/v1/domains/:domainId/verify',
    {
      schema: {
        tags,
        summary: 'Check the DNS TXT record now',
        params: DomainParams,
        response: withErrors({
          200: DomainSchema,
          409: { $ref: 'Problem' },
          422: { $ref: 'Problem' },
          503: { $ref: 'Problem' },
        }),
      },
      config: { auth: 'workspace', permission: 'domains:write' },
    },
    async (request) => {
      const { workspace, principal, ip } = actorOf(request);
      return render(
        await service.verify(workspace.id, request.params.domainId, principal.userId, ip),
      );
    },
  );

  app.delete(
    '/api/v1/domains/:domainId',
    {
      schema: {
        tags,
        summary: 'Remove a custom domain',
        params: DomainParams,
        response: withErrors({ 204: Type.Null(), 409: { $ref: 'Problem' } }),
      },
      config: { auth: 'workspace', permission: 'domains:write' },
    },
    async (request, reply) => {
      const { workspace, principal, ip } = actorOf(request);
      await service.remove(workspace.id, request.params.domainId, principal.userId, ip);
      return reply.code(204).send(null);
    },
  );
}
