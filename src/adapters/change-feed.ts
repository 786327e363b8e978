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
    if (this.options.postgresUrl) {
      try {
        await this.listen(this.options.postgresUrl, false);
      } catch (err) {
        this.running = false;
        throw err;
      }
    }
    this.schedule();
  }

  /** True while a LISTEN connection is up (PostgreSQL); polling covers the gaps. */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  private async listen(url: string, catchUp: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    let lost = false;
    const reconnect = (err: unknown) => {
      if (lost) return;
      lost = true;
      if (!this.running) return;
      this.options.onError(err);
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      // Polling keeps coherence meanwhile; keep trying to listen again until stopped.
      if (this.running) {
        setTimeout(() => {
          if (this.running) this.listen(url, true).catch(() => undefined);
        }, 2000).unref();
      }
    };
    client.on('notification', () => void this.poll());
    client.on('error', reconnect);
    client.on('end', () => reconnect(new Error('change feed LISTEN connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
    } catch (err) {
      reconnect(err);
      throw err;
    }
    if (!this.running) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    // Changes committed while nobody listened are picked up now rather than at the next tick.
    if (catchUp) void this.poll();
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
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }
}
