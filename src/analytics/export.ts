import type { FastifyReply } from 'fastify';
import type { Static } from 'typebox';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { checkRange, MAX_RANGE_DAYS } from './range.js';
import { DAY_MS } from './rollups.js';
import type { ExportQuery } from './schemas.js';

const PAGE = 2000;
const COLUMNS = [
  'id',
  'time',
  'link_id',
  'domain',
  'via',
  'traffic_class',
  'status',
  'rule_index',
  'variant_index',
  'device',
  'os',
  'browser',
  'country',
  'city',
  'language',
  'referrer_host',
] as const;

/** RFC 4180 quoting, and a leading ' for cells a spreadsheet would run as a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Streams raw events page by page (keyset on time, id): memory stays flat at any size. */
export async function streamCsv(
  ctx: AppContext,
  reply: FastifyReply,
  workspaceId: string,
  q: Static<typeof ExportQuery>,
): Promise<void> {
  const to = q.to ? Date.parse(q.to) : ctx.clock.now();
  const from = q.from ? Date.parse(q.from) : to - MAX_RANGE_DAYS * DAY_MS;
  checkRange(from, to);
  if (q.linkId) {
    const link = await ctx.db
      .selectFrom('links')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', q.linkId)
      .executeTakeFirst();
    if (!link) throw new AppError('not_found', 'Link not found');
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="qrlink-scans-${new Date(to).toISOString().slice(0, 10)}.csv"`,
    'cache-control': 'no-store',
  });
  res.write(COLUMNS.join(',') + '\n');
  let after: { time: number; id: string } | null = null;
  try {
    for (;;) {
      let query = ctx.db
        .selectFrom('scan_events')
        .select([...COLUMNS])
        .where('workspace_id', '=', workspaceId)
        .where('time', '>=', from)
        .where('time', '<', to)
        .orderBy('time')
        .orderBy('id')
        .limit(PAGE);
      if (q.linkId) query = query.where('link_id', '=', q.linkId);
      if (after) {
        const cursor = after;
        query = query.where((eb) =>
          eb.or([
            eb('time', '>', cursor.time),
            eb.and([eb('time', '=', cursor.time), eb('id', '>', cursor.id)]),
          ]),
        );
      }
      const rows = await query.execute();
      let chunk = '';
      for (const row of rows) {
        chunk +=
          COLUMNS.map((c) =>
            csvCell(c === 'time' ? new Date(row.time).toISOString() : row[c]),
          ).join(',') + '\n';
      }
      if (chunk && !res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE || res.destroyed) break;
      after = { time: last.time, id: last.id };
    }
  } catch (err) {
    ctx.log.error({ err }, 'CSV export failed midway');
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  res.end();
}
