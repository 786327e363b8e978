import type { Kysely } from 'kysely';
import type { DB, DialectName, Executor } from '../db/index.js';

export interface LiveStreamPlace {
  id: string;
  workspaceId: string;
  credential: string;
  expiresAt: number;
}

export type LiveStreamClaim = 'claimed' | 'credential_full' | 'workspace_full';

/**
 * Takes a place for a new live stream unless the credential or the workspace already holds its
 * cap. Claims for one workspace are serialized (its row locked on PostgreSQL; SQLite
 * transactions take the write lock as they begin), so parallel claims on any process cannot
 * both take the last place.
 */
export async function claimLiveStream(
  db: Kysely<DB>,
  dialect: DialectName,
  place: LiveStreamPlace,
  caps: { perCredential: number; perWorkspace: number },
  now: number,
): Promise<LiveStreamClaim> {
  return db.transaction().execute(async (tx) => {
    if (dialect === 'postgres') {
      await tx
        .selectFrom('workspaces')
        .select('id')
        .where('id', '=', place.workspaceId)
        .forUpdate()
        .execute();
    }
    await deleteExpiredLiveStreams(tx, now);
    const held = await tx
      .selectFrom('live_streams')
      .select('credential')
      .where('workspace_id', '=', place.workspaceId)
      .execute();
    if (held.filter((row) => row.credential === place.credential).length >= caps.perCredential) {
      return 'credential_full';
    }
    if (held.length >= caps.perWorkspace) return 'workspace_full';
    await tx
      .insertInto('live_streams')
      .values({
        id: place.id,
        workspace_id: place.workspaceId,
        credential: place.credential,
        expires_at: place.expiresAt,
      })
      .execute();
    return 'claimed';
  });
}

async function deleteExpiredLiveStreams(db: Executor, now: number): Promise<void> {
  // tenant-exempt: places whose process stopped renewing them, in every workspace.
  await db.deleteFrom('live_streams').where('expires_at', '<=', now).execute();
}

/** Ids per statement, well under the bound-parameter limits of both dialects. */
const IDS_PER_STATEMENT = 500;

function* chunks(ids: readonly string[]): Generator<string[]> {
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) yield ids.slice(i, i + IDS_PER_STATEMENT);
}

/** Keeps the places of streams still open in this process. */
export async function renewLiveStreams(
  db: Executor,
  ids: readonly string[],
  expiresAt: number,
): Promise<void> {
  for (const chunk of chunks(ids)) {
    // tenant-exempt: this process's own streams, by the ids it generated.
    await db
      .updateTable('live_streams')
      .set({ expires_at: expiresAt })
      .where('id', 'in', chunk)
      .execute();
  }
}

export async function releaseLiveStreams(db: Executor, ids: readonly string[]): Promise<void> {
  for (const chunk of chunks(ids)) {
    // tenant-exempt: this process's own streams, by the ids it generated.
    await db.deleteFrom('live_streams').where('id', 'in', chunk).execute();
  }
}
