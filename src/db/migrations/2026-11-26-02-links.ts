import type { Kysely } from 'kysely';
import type { DialectName } from '../index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/** Links, custom domains and the change log every redirect process tails. */
export function linksMigration(dialect: DialectName) {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable('domains')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) =>
          c.notNull().references('workspaces.id').onDelete('cascade'),
        )
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('verification_token', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('verified_at', 'bigint')
        .addColumn('checked_at', 'bigint')
        .addColumn('root_url', 'text')
        .addColumn('not_found_url', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('domains_workspace')
        .on('domains')
        .columns(['workspace_id', 'id'])
        .execute();
      // Several workspaces may claim a host; only one can hold it verified (checked on verify).
      await db.schema.createIndex('domains_host').on('domains').column('host').execute();

      await db.schema
        .createTable('links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) =>
          c.notNull().references('workspaces.id').onDelete('cascade'),
        )
        // '' is the platform's default short domain; otherwise a custom domain's host.
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('code_key', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('title', 'text')
        .addColumn('notes', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('rules', 'text')
        .addColumn('expires_at', 'bigint')
        .addColumn('expired_url', 'text')
        .addColumn('max_scans', 'bigint')
        .addColumn('fallback_url', 'text')
        .addColumn('password_hash', 'text')
        .addColumn('redirect_type', 'integer', (c) => c.notNull())
        .addColumn('pass_query', 'integer', (c) => c.notNull())
        .addColumn('utm', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('track', 'integer', (c) => c.notNull())
        .addColumn('scans', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('archived_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('links_domain_code')
        .on('links')
        .columns(['domain', 'code_key'])
        .unique()
        .execute();
      await db.schema
        .createIndex('links_workspace')
        .on('links')
        .columns(['workspace_id', 'id'])
        .execute();

      await db.schema
        .createTable('changes')
        .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('changes_created').on('changes').column('created_at').execute();
    },
    async down(db: AnyDb): Promise<void> {
      for (const table of ['changes', 'links', 'domains'])
        await db.schema.dropTable(table).execute();
    },
  };
}
