import type { Executor } from '../db/index.js';

export async function findSubscription(db: Executor, workspaceId: string) {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
}

/** What the plan in force is derived from: the stored (base) plan and the subscription. */
export interface PlanBasis {
  workspaceId: string;
  basePlan: string;
  subscribedPlan: string | null;
  status: string | null;
  snapshotAt: number | null;
}

function planBases(db: Executor) {
  return db
    .selectFrom('workspaces')
    .leftJoin('subscriptions', 'subscriptions.workspace_id', 'workspaces.id')
    .select([
      'workspaces.id as workspaceId',
      'workspaces.plan as basePlan',
      'subscriptions.plan as subscribedPlan',
      'subscriptions.status',
      'subscriptions.snapshot_at as snapshotAt',
    ]);
}

export async function findPlanBasis(
  db: Executor,
  workspaceId: string,
): Promise<PlanBasis | undefined> {
  return planBases(db).where('workspaces.id', '=', workspaceId).executeTakeFirst();
}

export async function listPlanBases(db: Executor): Promise<PlanBasis[]> {
  // tenant-exempt: jobs that apply each workspace's plan (retention) walk every workspace
  return planBases(db).orderBy('workspaces.id').execute();
}

export async function findWorkspaceByCustomer(
  db: Executor,
  customerId: string,
): Promise<string | null> {
  // tenant-exempt: maps a Stripe customer from a signature-verified webhook to its workspace
  const row = await db
    .selectFrom('subscriptions')
    .select('workspace_id')
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row?.workspace_id ?? null;
}

export async function ensureSubscriptionRow(
  db: Executor,
  workspaceId: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('subscriptions')
    .values({
      workspace_id: workspaceId,
      customer_id: null,
      subscription_id: null,
      plan: null,
      status: null,
      current_period_end: null,
      cancel_at_period_end: 0,
      trial_end: null,
      snapshot_at: 0,
      snapshot_rank: 0,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
}

export async function setCustomer(
  db: Executor,
  workspaceId: string,
  customerId: string,
  subscriptionId: string | null,
  now: number,
): Promise<void> {
  await ensureSubscriptionRow(db, workspaceId, now);
  await db
    .updateTable('subscriptions')
    .set({
      customer_id: customerId,
      ...(subscriptionId ? { subscription_id: subscriptionId } : {}),
      updated_at: now,
    })
    .where('workspace_id', '=', workspaceId)
    .execute();
}

/** The earliest failure of an invoice that is still unpaid: when the grace period started. */
export async function firstUnpaidFailure(
  db: Executor,
  workspaceId: string,
): Promise<number | null> {
  const row = await db
    .selectFrom('invoice_payments')
    .select((eb) => eb.fn.min<number>('first_failed_at').as('first'))
    .where('workspace_id', '=', workspaceId)
    .where('paid_at', 'is', null)
    .where('first_failed_at', 'is not', null)
    .executeTakeFirst();
  return row?.first === null || row?.first === undefined ? null : Number(row.first);
}

/** Invoice facts only ever grow (first failure = min, paid = set once): order does not matter. */
export async function recordInvoice(
  db: Executor,
  invoiceId: string,
  workspaceId: string,
  fact: { failedAt?: number; paidAt?: number },
): Promise<void> {
  // tenant-exempt: keyed by a Stripe invoice id from a verified webhook; the row carries its workspace
  await db
    .insertInto('invoice_payments')
    .values({
      invoice_id: invoiceId,
      workspace_id: workspaceId,
      first_failed_at: fact.failedAt ?? null,
      paid_at: fact.paidAt ?? null,
    })
    .onConflict((oc) => oc.column('invoice_id').doNothing())
    .execute();
  const row = await db
    .selectFrom('invoice_payments')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirstOrThrow();
  const firstFailed =
    fact.failedAt === undefined
      ? row.first_failed_at
      : Math.min(row.first_failed_at ?? fact.failedAt, fact.failedAt);
  const paid = row.paid_at ?? fact.paidAt ?? null;
  await db
    .updateTable('invoice_payments')
    .set({ first_failed_at: firstFailed, paid_at: paid })
    .where('invoice_id', '=', invoiceId)
    .execute();
}

export async function isInvoicePaid(db: Executor, invoiceId: string): Promise<boolean> {
  // tenant-exempt: keyed by a Stripe invoice id from a verified webhook
  const row = await db
    .selectFrom('invoice_payments')
    .select('paid_at')
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirst();
  return row?.paid_at !== null && row?.paid_at !== undefined;
}

/** Reserves a once-only e-mail; false when it was reserved before (a replay or a retry). */
export async function reserveEmail(
  db: Executor,
  key: string,
  workspaceId: string,
  kind: string,
  now: number,
): Promise<boolean> {
  const rows = await db
    .insertInto('billing_emails')
    .values({ key, workspace_id: workspaceId, kind, created_at: now, sent_at: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .execute();
  return rows.length === 1;
}

export async function unsentEmails(db: Executor) {
  // tenant-exempt: the billing e-mail job serves every workspace
  return db
    .selectFrom('billing_emails')
    .selectAll()
    .where('sent_at', 'is', null)
    .orderBy('created_at')
    .limit(100)
    .execute();
}

export async function markEmailSent(db: Executor, key: string, now: number): Promise<void> {
  // tenant-exempt: keyed by the e-mail reservation key the job just read
  await db.updateTable('billing_emails').set({ sent_at: now }).where('key', '=', key).execute();
}

export async function ownersEmails(db: Executor, workspaceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.email')
    .where('memberships.workspace_id', '=', workspaceId)
    .where('memberships.role', '=', 'owner')
    .execute();
  return rows.map((r) => r.email);
}
