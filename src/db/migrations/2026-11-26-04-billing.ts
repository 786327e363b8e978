import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

/** Usage meters, the Stripe subscription mirror, webhook events and invoice facts. */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('usage_counters')
    .addColumn('workspace_id', 'text', (c) =>
      c.notNull().references('workspaces.id').onDelete('cascade'),
    )
    .addColumn('meter', 'text', (c) => c.notNull())
    // 'YYYY-MM' for per-period meters, 'all' for meters of things that exist now.
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_counters_pk', ['workspace_id', 'meter', 'period'])
    .execute();

  await db.schema
    .createTable('subscriptions')
    .addColumn('workspace_id', 'text', (c) =>
      c.primaryKey().references('workspaces.id').onDelete('cascade'),
    )
    .addColumn('customer_id', 'text')
    .addColumn('subscription_id', 'text')
    .addColumn('plan', 'text')
    .addColumn('status', 'text')
    .addColumn('current_period_end', 'bigint')
    .addColumn('cancel_at_period_end', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('trial_end', 'bigint')
    // Version of the snapshot applied: (Stripe event time, status rank); older ones are ignored.
    .addColumn('snapshot_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('snapshot_rank', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('subscriptions_customer')
    .on('subscriptions')
    .column('customer_id')
    .execute();

  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .addColumn('outcome', 'text')
    .execute();
  await db.schema
    .createIndex('stripe_events_pending')
    .on('stripe_events')
    .columns(['processed_at', 'created'])
    .execute();

  await db.schema
    .createTable('invoice_payments')
    .addColumn('invoice_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('first_failed_at', 'bigint')
    .addColumn('paid_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('invoice_payments_workspace')
    .on('invoice_payments')
    .column('workspace_id')
    .execute();

  // One row per e-mail that must go out once: keyed so retries and replays never send twice.
  await db.schema
    .createTable('billing_emails')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'billing_emails',
    'invoice_payments',
    'stripe_events',
    'subscriptions',
    'usage_counters',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
