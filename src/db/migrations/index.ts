import type { Migration } from 'kysely';
import * as accounts from './2026-11-26-01-accounts.js';

/** Every migration in order; names are frozen once released. */
export const MIGRATIONS: Record<string, Migration> = {
  '2026-11-26-01-accounts': accounts,
};
