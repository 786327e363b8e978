import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { claimLiveStream, releaseLiveStreams, renewLiveStreams } from './repo.js';

/** Open live streams allowed per API key or session (in one workspace), and per workspace. */
export const LIVE_STREAM_CAPS = { perCredential: 5, perWorkspace: 20 } as const;
/** How often every open stream's access is asked again: a stream outlives it by less than 1 s. */
const LIVE_ACCESS_CHECK_MS = 500;
/** A stream's place expires this long after its last renewal (when its process died). */
const PLACE_TTL_MS = 30_000;
const PLACE_RENEW_MS = 10_000;

export interface LiveViewer {
  workspaceId: string;
  /** What the stream was opened with (`key:<id>`, `session:<id>`): the per-credential cap. */
  credential: string;
  /** The access the stream was opened with (credential, workspace, role): equal ones share a check. */
  access: string;
  /** Whether that access still holds, asked from the database. */
  stillAllowed(): Promise<boolean>;
  /** Ends the stream's response. */
  end(): void;
}

export interface LiveStreamHandle {
  /** The stream has ended (either side): gives its place back. */
  close(): void;
}

export interface LiveStreams {
  /** Takes a place under the caps (else `too_many_streams`) and watches the viewer's access. */
  open(viewer: LiveViewer): Promise<LiveStreamHandle>;
  /** Ends every stream at once (shutdown) and gives their places back. */
  closeAll(): Promise<void>;
}

/**
 * The open live streams of this process. Each stream's access is re-checked against the
 * database every LIVE_ACCESS_CHECK_MS, so a revocation made by any process (another worker,
 * another node) ends it within a second, whatever path the revocation took; a check that
 * fails ends the stream too (the client reconnects and authenticates again). Places are rows
 * in the database, so the caps hold across processes.
 */
export function liveStreams(ctx: AppContext): LiveStreams {
  const open = new Map<string, LiveViewer>();
  let closing = false;
  let checking = false;
  // Places follow the real timers that renew them, not the application clock.
  const placeExpiry = () => Date.now() + PLACE_TTL_MS;

  const release = (ids: string[]) =>
    releaseLiveStreams(ctx.db, ids).catch((err: unknown) =>
      ctx.log.warn({ err }, 'live stream places not released (they expire by themselves)'),
    );

  async function recheck(): Promise<void> {
    if (checking || open.size === 0) return;
    checking = true;
    try {
      const answers = new Map<string, Promise<boolean>>();
      await Promise.all(
        [...open.values()].map(async (viewer) => {
          let answer = answers.get(viewer.access);
          if (!answer) {
            answer = viewer.stillAllowed().catch((err: unknown) => {
              ctx.log.warn({ err }, 'live stream access not confirmed: stream ended');
              return false;
            });
            answers.set(viewer.access, answer);
          }
          if (!(await answer)) viewer.end();
        }),
      );
    } finally {
      checking = false;
    }
  }

  const checks = setInterval(() => void recheck(), LIVE_ACCESS_CHECK_MS);
  checks.unref();
  const renewals = setInterval(() => {
    if (open.size === 0) return;
    renewLiveStreams(ctx.db, [...open.keys()], placeExpiry()).catch((err: unknown) =>
      ctx.log.warn({ err }, 'live stream places not renewed'),
    );
  }, PLACE_RENEW_MS);
  renewals.unref();

  return {
    async open(viewer) {
      if (closing) throw new AppError('service_unavailable', 'The server is shutting down');
      const id = randomUUID();
      const claim = await claimLiveStream(
        ctx.db,
        ctx.dialect,
        {
          id,
          workspaceId: viewer.workspaceId,
          credential: viewer.credential,
          expiresAt: placeExpiry(),
        },
        LIVE_STREAM_CAPS,
        Date.now(),
      );
      if (claim !== 'claimed') {
        const limit =
          claim === 'credential_full'
            ? LIVE_STREAM_CAPS.perCredential
            : LIVE_STREAM_CAPS.perWorkspace;
        throw new AppError(
          'too_many_streams',
          claim === 'credential_full'
            ? `At most ${limit} live streams may be open per API key or session; close one first`
            : `At most ${limit} live streams may be open per workspace; close one first`,
          { extensions: { limit } },
        );
      }
      if (closing) {
        await release([id]);
        throw new AppError('service_unavailable', 'The server is shutting down');
      }
      open.set(id, viewer);
      return {
        close() {
          if (open.delete(id)) void release([id]);
        },
      };
    },

    async closeAll() {
      closing = true;
      clearInterval(checks);
      clearInterval(renewals);
      const ids = [...open.keys()];
      const viewers = [...open.values()];
      open.clear();
      for (const viewer of viewers) viewer.end();
      if (ids.length > 0) await release(ids);
    },
  };
}
