import type { Executor } from '../db/index.js';

/** Meters: links created per billing period, and things that exist now (period 'all'). */
export type Meter = 'links' | 'active_links' | 'domains';

export const ALL_TIME = 'all';

/** Billing periods are calendar months in UTC ('2026-11'). */
export function periodOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

export function periodBounds(now: number): { start: number; end: number } {
  const d = new Date(now);
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

/**
 * Adds one to a meter unless that would pass `limit` (null = no limit), atomically: the
 * conditional UPDATE is the check, so concurrent creations can never overshoot (BIL-09).
 * Call inside the transaction that creates the resource, so a failed creation gives it back.
 */
export async function consume(
  db: Executor,
  workspaceId: string,
  meter: Meter,
  period: string,
  limit: number | null,
): Promise<boolean> {
  await db
    .insertInto('usage_counters')
    .values({ workspace_id: workspaceId, meter, period, value: 0 })
    .onConflict((oc) => oc.columns(['workspace_id', 'meter', 'period']).doNothing())
    .execute();
  let update = db
    .updateTable('usage_counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('workspace_id', '=', workspaceId)
    .where('meter', '=', meter)
    .where('period', '=', period);
  if (limit !== null) update = update.where('value', '<', limit);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function release(
  db: Executor,
  workspaceId: string,
  meter: Meter,
  period: string,
): Promise<void> {
  await db
    .updateTable('usage_counters')
    .set((eb) => ({ value: eb('value', '-', 1) }))
    .where('workspace_id', '=', workspaceId)
    .where('meter', '=', meter)
    .where('period', '=', period)
    .where('value', '>', 0)
    .execute();
}

export async function meterValue(
  db: Executor,
  workspaceId: string,
  meter: Meter,
  period: string,
): Promise<number> {
  const row = await db
    .selectFrom('usage_counters')
    .select('value')
    .where('workspace_id', '=', workspaceId)
    .where('meter', '=', meter)
    .where('period', '=', period)
    .executeTakeFirst();
  return Number(row?.value ?? 0);
}

/** Members plus pending invitations: an invitation holds a seat until it is used or expires. */
export async function seatsInUse(db: Executor, workspaceId: string, now: number): Promise<number> {
  const members = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  const invitations = await db
    .selectFrom('invitations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(members.n) + Number(invitations.n);
}
