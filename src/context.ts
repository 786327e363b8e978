import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from './adapters/clock.js';
import type { Limiter } from './adapters/limiter.js';
import type { Mailer } from './adapters/mail.js';
import type { Config } from './config/index.js';
import type { DB, DialectName } from './db/index.js';

/** What domain services need from the outside world; assembled once in app.ts. */
export interface AppContext {
  readonly config: Config;
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  readonly clock: Clock;
  /** Server secret for keyed hashes and signed cookies. */
  readonly secret: string;
  readonly mailer: Mailer;
  readonly limiter: Limiter;
  readonly log: FastifyBaseLogger;
}
