import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import { isUniqueViolation, type DB } from '../db/index.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const PENDING = 0;
const STALE_PENDING_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { principalId: string; key: string; sealKey: Buffer } | null;
  }
}

/**
 * Stored responses can hold secrets (a new API key is shown once), so they are kept encrypted
 * under a key derived from the server secret *and* the client's Idempotency-Key, which is itself
 * stored only as a hash: the database, even with the server secret, does not reveal them.
 */
function responseKey(secret: string, principalId: string, idempotencyKey: string): Buffer {
  return createHmac('sha256', secret)
    .update(`idempotency\0${principalId}\0${idempotencyKey}`)
    .digest();
}

function seal(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function unseal(sealed: string, key: Buffer): string {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

const inProgress = () =>
  new AppError('conflict', 'A request with this Idempotency-Key is still in progress', {
    headers: { 'retry-after': '1' },
  });

/** Same key + same request → the stored response, one object; different request → 422 (RL-09). */
export function registerIdempotency(
  app: FastifyInstance,
  db: Kysely<DB>,
  now: () => number,
  secret: string,
) {
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
    const key = createHash('sha256').update(header).digest('hex');
    const sealKey = responseKey(secret, principalId, header);
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
      .where('key', '=', key)
      .where('created_at', '<', time - IDEMPOTENCY_TTL_MS)
      .execute();
    try {
      await db
        .insertInto('idempotency_keys')
        .values({
          principal_id: principalId,
          key,
          request_hash: requestHash,
          status_code: PENDING,
          response_body: '',
          created_at: time,
        })
        .execute();
      request.idempotency = { principalId, key, sealKey };
      return;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const stored = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('principal_id', '=', principalId)
      .where('key', '=', key)
      .executeTakeFirst();
    // The first attempt failed and released the key in the meantime: the client may retry.
    if (!stored) throw inProgress();
    if (stored.request_hash !== requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request',
      );
    }
    if (stored.status_code === PENDING) {
      if (time - stored.created_at <= STALE_PENDING_MS) throw inProgress();
      // The first attempt died without answering (crash, aborted connection): take it over,
      // unless a concurrent retry already has.
      const taken = await db
        .updateTable('idempotency_keys')
        .set({ created_at: time })
        .where('principal_id', '=', principalId)
        .where('key', '=', key)
        .where('status_code', '=', PENDING)
        .where('created_at', '=', stored.created_at)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) throw inProgress();
      request.idempotency = { principalId, key, sealKey };
      return;
    }
    return reply
      .code(stored.status_code)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .serializer((payload: unknown) => payload as string)
      .send(unseal(stored.response_body, sealKey));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: reply.statusCode, response_body: seal(payload, idem.sealKey) })
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
