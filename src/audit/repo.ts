import { isIP } from 'node:net';
import type { Executor } from '../db/index.js';
import { newId } from '../shared/ids.js';

export interface AuditEntry {
  workspaceId: string | null;
  actorUserId: string | null;
  actorKeyId?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** The client's network, never the address itself (PRV-01): IPv4 /24, IPv6 /48. */
export function ipNetwork(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.split('.').slice(0, 3).join('.') + '.0/24';
  if (isIP(ip) === 6) {
    const [head = '', tail] = ip.split('::');
    const groups = head ? head.split(':') : [];
    if (tail !== undefined) while (groups.length < 3) groups.push('0');
    return groups.slice(0, 3).join(':') + '::/48';
  }
  return null;
}

/** Appends one security event (ACC-11); the table is never updated or deleted from by the app. */
export async function recordAudit(db: Executor, entry: AuditEntry, now: number): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId('aud', now),
      workspace_id: entry.workspaceId,
      actor_user_id: entry.actorUserId,
      actor_key_id: entry.actorKeyId ?? null,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      ip_network: ipNetwork(entry.ip),
      details: JSON.stringify(entry.details ?? {}),
      created_at: now,
    })
    .execute();
}

export async function listAudit(
  db: Executor,
  workspaceId: string,
  limit: number,
  before: string | null,
) {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (before) query = query.where('id', '<', before);
  return query.execute();
}
