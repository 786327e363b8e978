import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitorHash } from '../../src/analytics/enrich/visitor.js';
import type { RawScan } from '../../src/redirect/queue.js';
import { uuidv7 } from '../../src/shared/ids.js';
import { signUp, startTestApp, type Dialect, type TestApp, type TestUser } from '../helpers/app.js';
import { createLink, UA, type CreatedLink } from '../helpers/redirect.js';
import { postgresMissing } from '../helpers/services.js';

/**
 * The analytics writer runs in a worker thread: enrichment and the batch transaction never hold
 * up the redirect's event loop (ANA-01), a crashed thread loses nothing (ANA-03), and visitor
 * hashes use the main thread's daily salts.
 */

const pgMissing = await postgresMissing();

function rawScans(link: CreatedLink, workspaceId: string, count: number): RawScan[] {
  const time = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    id: uuidv7(time),
    time,
    linkId: link.id,
    workspaceId,
    domain: '',
    code: link.code,
    via: 'link',
    ruleIndex: null,
    variantIndex: null,
    status: 302,
    method: 'GET',
    ip: `198.51.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`,
    userAgent: UA.iphone,
    acceptLanguage: 'en-GB,en;q=0.9',
    referer: '',
    secPurpose: '',
    purpose: '',
    dnt: '',
    secGpc: '',
  }));
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(
    `analytics writer thread on ${dialect}`,
    () => {
      let t: TestApp;
      let user: TestUser;
      beforeAll(async () => {
        t = await startTestApp({ dialect, env: { QRLINK_SIGNUP: 'open' } });
        user = await signUp(t.url);
      });
      afterAll(async () => {
        await t?.close();
      });

      /** Queues scans as the redirect would, while the writer is paused. */
      function enqueue(raws: readonly RawScan[]): void {
        t.app.analytics.writer.pause();
        const accepted = raws.filter((raw) => t.app.redirect.queue.push(raw)).length;
        expect(accepted).toBe(raws.length);
      }

      /** Writes everything queued; `whileWriting` runs once the first batches are posted. */
      async function write(whileWriting: () => void = () => {}) {
        t.app.analytics.writer.resume();
        const flushed = t.app.analytics.writer.flush();
        whileWriting();
        await flushed;
      }

      async function storedCount(linkId: string): Promise<number> {
        const row = await t.app.ctx.db
          .selectFrom('scan_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('link_id', '=', linkId)
          .executeTakeFirstOrThrow();
        return Number(row.n);
      }

      it('keeps the main event loop free while large batches are enriched and written', async () => {
        const link = await createLink(user, { url: 'https://example.com/busy' });
        const raws = rawScans(link, user.workspaceId, 20_000);
        expect(t.app.analytics.writer.thread?.threadId).toBeGreaterThan(0);
        enqueue(raws);
        let last = performance.now();
        let longestGap = 0;
        const ticker = setInterval(() => {
          const now = performance.now();
          longestGap = Math.max(longestGap, now - last);
          last = now;
        }, 5);
        const started = performance.now();
        try {
          await write();
        } finally {
          clearInterval(ticker);
        }
        const elapsed = performance.now() - started;
        expect(await storedCount(link.id)).toBe(raws.length);
        // On the main loop, each 5,000-event batch (enrichment, then a synchronous SQLite
        // transaction) held it for about a quarter of the whole write. Relative, so a loaded
        // machine that slows everything down does not make it fail.
        expect(longestGap, `longest gap ${longestGap} ms of ${elapsed} ms`).toBeLessThan(
          elapsed / 8,
        );
      });

      it('restarts a crashed thread and writes the batch it held, once (ANA-03)', async () => {
        const link = await createLink(user, { url: 'https://example.com/crash' });
        const raws = rawScans(link, user.workspaceId, 3000);
        const { stats } = t.app.analytics.writer;
        const before = stats.written + stats.duplicates;
        const crashed = t.app.analytics.writer.thread;
        enqueue(raws);
        await write(() => void crashed?.terminate());
        expect(t.app.analytics.writer.thread).not.toBe(crashed);
        expect(t.logs.some((line) => line.includes('analytics writer thread exited'))).toBe(true);
        expect(stats.written + stats.duplicates - before).toBe(raws.length);
        expect(await storedCount(link.id)).toBe(raws.length);
      });

      it("hashes visitors with the main thread's daily salt", async () => {
        const link = await createLink(user, { url: 'https://example.com/salt' });
        const [raw] = rawScans(link, user.workspaceId, 1) as [RawScan];
        enqueue([raw]);
        await write();
        const row = await t.app.ctx.db
          .selectFrom('scan_events')
          .select('visitor_hash')
          .where('id', '=', raw.id)
          .executeTakeFirstOrThrow();
        const salt = t.app.analytics.salts.saltFor(raw.time);
        expect(row.visitor_hash).toBe(visitorHash(salt, user.workspaceId, raw.ip, raw.userAgent));
      });
    },
  );
}
