import { Type } from 'typebox';
import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import type { Entitlements } from '../billing/entitlements.js';
import type { DomainDirectory } from '../domains/directory.js';
import type { Api } from '../http/server.js';
import { page, problemResponse, withErrors } from '../http/schemas.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import { actorOf } from '../workspaces/routes.js';
import { encode, QrError, toPng, toSvg, type EccLevel } from '../qr/index.js';
import type { ReservedCodes } from './codes.js';
import { qrPayload } from './qr-payload.js';
import * as repo from './repo.js';
import { simulate, type CountryOfIp } from './simulate.js';
import {
  CreateLinkBody,
  LinkParams,
  LinkView,
  ListLinksQuery,
  QrQuery,
  SimulateBody,
  SimulateView,
  UpdateLinkBody,
} from './schemas.js';
import { linkView, linksService, shortUrlOf, type Actor } from './service.js';

export function linkRoutes(
  app: Api,
  ctx: AppContext,
  directory: DomainDirectory,
  entitlements: Entitlements,
  reserved: ReservedCodes,
  countryOf: CountryOfIp,
): void {
  const tags = ['links'];
  const service = linksService(ctx, directory, entitlements, reserved);
  const baseUrl = ctx.config.http.baseUrl;
  const view = (row: Parameters<typeof linkView>[0]) =>
    linkView(row, baseUrl, directory.defaultHost);

  function linkActor(request: Parameters<typeof actorOf>[0]): Actor {
    const { principal, workspace, ip } = actorOf(request);
    return {
      workspaceId: workspace.id,
      userId: principal.userId,
      keyId: principal.kind === 'apiKey' ? principal.keyId : null,
      ip,
    };
  }

  app.post(
    '/api/v1/links',
    {
      schema: {
        tags,
        summary: 'Create a short link (and its dynamic QR code)',
        body: CreateLinkBody,
        response: withErrors({
          201: LinkView,
          409: { $ref: 'Problem' },
          422: problemResponse(
            'The code is reserved for a path of the server, or the Idempotency-Key was used with a different request',
          ),
        }),
      },
      config: { auth: 'workspace', permission: 'links:write', idempotent: true },
    },
    async (request, reply) =>
      reply.code(201).send(view(await service.create(linkActor(request), request.body))),
  );

  app.get(
    '/api/v1/links',
    {
      schema: {
        tags,
        summary: 'List and search links, newest first',
        querystring: ListLinksQuery,
        response: withErrors({ 200: page(LinkView) }),
      },
      config: { auth: 'workspace', permission: 'links:read' },
    },
    async (request) => {
      const { workspace } = actorOf(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const domain =
        q.domain === undefined
          ? undefined
          : directory.match(q.domain)?.kind === 'default'
            ? ''
            : q.domain.toLowerCase();
      const rows = await repo.listLinks(ctx.db, ctx.dialect, {
        workspaceId: workspace.id,
        q: q.q,
        tag: q.tag?.toLowerCase(),
        status: q.status,
        domain,
        archived: q.archived ?? false,
        before: decodeCursor(q.cursor),
        limit,
      });
      return toPage(rows, limit, view);
    },
  );

  app.get(
    '/api/v1/links/:linkId',
    {
      schema: {
        tags,
        summary: 'One link',
        params: LinkParams,
        response: withErrors({ 200: LinkView }),
      },
      config: { auth: 'workspace', permission: 'links:read' },
    },
    async (request) =>
      view(await service.load(actorOf(request).workspace.id, request.params.linkId)),
  );

  app.patch(
    '/api/v1/links/:linkId',
    {
      schema: {
        tags,
        summary: 'Change a link (reaches every redirect process within a second)',
        params: LinkParams,
        body: UpdateLinkBody,
        response: withErrors({ 200: LinkView, 409: { $ref: 'Problem' } }),
      },
      config: { auth: 'workspace', permission: 'links:write' },
    },
    async (request) =>
      view(await service.update(linkActor(request), request.params.linkId, request.body)),
  );

  app.delete(
    '/api/v1/links/:linkId',
    {
      schema: {
        tags,
        summary: 'Archive a link: it stops redirecting; its code and analytics stay',
        params: LinkParams,
        response: withErrors({ 204: Type.Null() }),
      },
      config: { auth: 'workspace', permission: 'links:write' },
    },
    async (request, reply) => {
      await service.archive(linkActor(request), request.params.linkId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/links/:linkId/qr',
    {
      schema: {
        tags,
        summary:
          "The link's QR code (SVG or PNG), encoding the upper-case short URL with the QR marker",
        params: LinkParams,
        querystring: QrQuery,
        response: withErrors({
          200: { description: 'image/svg+xml or image/png', type: 'string' },
        }),
      },
      config: { auth: 'workspace', permission: 'links:read' },
    },
    async (request, reply) => {
      const row = await service.load(actorOf(request).workspace.id, request.params.linkId);
      const q = request.query;
      const payload = qrPayload(shortUrlOf(baseUrl, row.domain, row.code));
      try {
        const symbol = encode(payload, { ecc: (q.ecc ?? 'M') as EccLevel });
        const style = {
          size: q.size ?? 512,
          margin: q.margin ?? 4,
          fg: withHash(q.fg),
          bg: withHash(q.bg),
        };
        reply.header('cache-control', 'private, max-age=300');
        reply.header('x-qr-payload', payload);
        if ((q.format ?? 'svg') === 'png')
          return reply.type('image/png').send(toPng(symbol, style));
        return reply.type('image/svg+xml').send(toSvg(symbol, style));
      } catch (err) {
        if (err instanceof QrError)
          throw new AppError('validation_failed', err.message, {
            errors: [{ field: 'querystring:/', message: err.message }],
          });
        throw err;
      }
    },
  );

  app.post(
    '/api/v1/links/:linkId/simulate',
    {
      schema: {
        tags,
        summary: 'Which rule a given visitor would match, why, and where they would go',
        params: LinkParams,
        body: SimulateBody,
        response: withErrors({ 200: SimulateView }),
      },
      config: { auth: 'workspace', permission: 'links:read' },
    },
    async (request) => {
      const row = await service.load(actorOf(request).workspace.id, request.params.linkId);
      return simulate(
        { ...row, workspace_track: 1 },
        request.body,
        ctx.clock.now(),
        directory.destinations,
        countryOf,
      );
    },
  );
}

/** The query schema lets the `#` of a colour be left out (it must be escaped in a URL). */
function withHash(colour: string | undefined): string | undefined {
  return colour === undefined || colour === 'transparent' || colour.startsWith('#')
    ? colour
    : `#${colour}`;
}
