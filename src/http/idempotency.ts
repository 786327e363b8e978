import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import { isUniqueViolation, type DB } from '../db/index.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const PENDING = 0;
const STALE_PENDING_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { principalId: string; key: string } | null;
  }
}

/** Same key + same request → the stored response, one object; different request → 422 (RL-09). */
export function registerIdempotency(app: FastifyInstance, db: Kysely<DB>, now: () => number) {
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    if (!request.routeOptions.config.idempotent) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || header.length < 1 || header.length > 255) {
      throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 characters', {
        errors: [{ field: 'header:/idempotency-key', message: 'must be 1 to 255 characters' }],
      });
    }
    const principalId =
      request.principal?.kind === 'apiKey'
        ? request.principal.keyId
        : (request.principal?.userId ?? `ip:${request.clientIp}`);
    const requestHash = createHash('sha256')
      .update(
        `${request.method} ${request.routeOptions.url}\n${request.headers['qrlink-workspace'] ?? ''}\n`,
      )
      .update(JSON.stringify(request.params ?? {}))
      .update(JSON.stringify(request.body ?? null))
      .digest('hex');
    const time = now();
    await db
      .deleteFrom('idempotency_keys')
      .where('principal_id', '=', principalId)
      .where('key', '=', header)
      .where('created_at', '<', time - IDEMPOTENCY_TTL_MS)
      .execute();
    try {
      await db
        .insertInto('idempotency_keys')
        .values({
          principal_id: principalId,
          key: header,
          request_hash: requestHash,
          status_code: PENDING,
          response_body: '',
          created_at: time,
        })
        .execute();
      request.idempotency = { principalId, key: header };
      return;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const stored = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('principal_id', '=', principalId)
      .where('key', '=', header)
      .executeTakeFirstOrThrow();
    if (stored.request_hash !== requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request',
      );
    }
    if (stored.status_code === PENDING && time - stored.created_at > STALE_PENDING_MS) {
      // The first attempt died without answering (crash, aborted connection): take it over.
      await db
        .updateTable('idempotency_keys')
        .set({ created_at: time })
        .where('principal_id', '=', principalId)
        .where('key', '=', header)
        .execute();
      request.idempotency = { principalId, key: header };
      return;
    }
    if (stored.status_code === PENDING) {
      throw new AppError('conflict', 'A request with this Idempotency-Key is still in progress', {
        headers: { 'retry-after': '1' },
      });
    }
    return reply
      .code(stored.status_code)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .serializer((payload: unknown) => payload as string)
      .send(stored.response_body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: reply.statusCode, response_body: payload })
        .where('principal_id', '=', idem.principalId)
        .where('key', '=', idem.key)
        .execute();
    } else {
      // A failed attempt may be retried with the same key.
      await db
        .deleteFrom('idempotency_keys')
        .where('principal_id', '=', idem.principalId)
        .where('key', '=', idem.key)
        .execute();
    }
    return payload;
  });
}

export async function pruneIdempotencyKeys(db: Kysely<DB>, now: number): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', now - IDEMPOTENCY_TTL_MS)
    .execute();
}
