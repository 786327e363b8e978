import { sql, type Kysely } from 'kysely';
import { newId } from '../../shared/ids.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

interface ActiveDomain {
  id: string;
  workspace_id: string;
  host: string;
  verified_at: number | null;
  created_at: number;
}

/**
 * At most one workspace holds a host verified (RED-10), enforced by a partial unique index.
 * Hosts that two workspaces verified at the same moment before it existed keep their
 * earliest-verified holder; the others go back to pending, with an entry in their audit log and
 * one in the change log so running processes stop routing the host to them.
 */
export async function up(db: AnyDb): Promise<void> {
  const active: ActiveDomain[] = await db
    .selectFrom('domains')
    .select(['id', 'workspace_id', 'host', 'verified_at', 'created_at'])
    .where('status', '=', 'active')
    .execute();
  // Sorted here: the dialects order NULLs differently.
  const verifiedAt = (d: ActiveDomain) => d.verified_at ?? Number.MAX_SAFE_INTEGER;
  active.sort(
    (a, b) =>
      verifiedAt(a) - verifiedAt(b) || a.created_at - b.created_at || a.id.localeCompare(b.id),
  );
  const held = new Set<string>();
  const now = Date.now();
  for (const domain of active) {
    if (!held.has(domain.host)) {
      held.add(domain.host);
      continue;
    }
    await db
      .updateTable('domains')
      .set({ status: 'pending', verified_at: null })
      .where('id', '=', domain.id)
      .execute();
    await db
      .insertInto('audit_log')
      .values({
        id: newId('aud', now),
        workspace_id: domain.workspace_id,
        actor_user_id: null,
        actor_key_id: null,
        action: 'domain.demote',
        target_type: 'domain',
        target_id: domain.id,
        ip_network: null,
        details: JSON.stringify({
          host: domain.host,
          reason: 'another workspace verified this host first',
        }),
        created_at: now,
      })
      .execute();
    await db
      .insertInto('changes')
      .values({ kind: 'domain', entity_id: domain.id, created_at: now })
      .execute();
  }
  await db.schema
    .createIndex('domains_one_active_host')
    .on('domains')
    .column('host')
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('domains_one_active_host').execute();
}
