import pg from 'pg';
import type { Kysely } from 'kysely';
import { CHANGE_CHANNEL, changesAfter, lastChangeSeq } from '../db/changes.js';
import type { DB } from '../db/index.js';

export interface Change {
  seq: number;
  kind: string;
  entity_id: string;
}

/**
 * Tails the change log so every process sees edits, pauses, bans and deletes within a second.
 * SQLite: polling by sequence number. PostgreSQL: LISTEN/NOTIFY wakes the poller at once, and
 * polling stays on as a safety net for notifications lost with a connection.
 */
export class ChangeFeed {
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private listener: pg.Client | undefined;
  private running = false;
  private polling: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly apply: (changes: Change[]) => Promise<void>,
    private readonly options: {
      intervalMs: number;
      postgresUrl: string | null;
      onError: (err: unknown) => void;
    },
  ) {}

  /** Everything after this point is delivered; call before loading the initial state. */
  async start(): Promise<void> {
    this.seq = await lastChangeSeq(this.db);
    this.running = true;
    if (this.options.postgresUrl) await this.listen(this.options.postgresUrl);
    this.schedule();
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', () => void this.poll());
    client.on('error', (err) => {
      this.options.onError(err);
      this.listener = undefined;
      // Polling keeps coherence meanwhile; try to listen again shortly.
      if (this.running)
        setTimeout(() => void this.listen(url).catch(this.options.onError), 2000).unref();
    });
    await client.connect();
    await client.query(`listen ${CHANGE_CHANNEL}`);
    this.listener = client;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Applies every change after the last one seen; concurrent calls coalesce. */
  poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const batch = await changesAfter(this.db, this.seq, 1000);
            if (batch.length === 0) break;
            await this.apply(batch);
            this.seq = (batch[batch.length - 1] as Change).seq;
            if (batch.length < 1000) break;
          }
        } while (this.again);
      } catch (err) {
        this.options.onError(err);
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.polling;
    await this.listener?.end().catch(() => undefined);
  }
}
