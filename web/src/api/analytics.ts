import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createParser } from 'eventsource-parser';
import { useEffect, useState } from 'react';
import type { paths } from './schema';
import { api, unwrap } from './client';
import { ProblemError } from './problem';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type AnalyticsQuery = NonNullable<paths['/api/v1/analytics']['get']['parameters']['query']>;
export type Analytics = Json<paths['/api/v1/analytics']['get']['responses'][200]>;
export type Breakdown = Analytics['breakdowns'][keyof Analytics['breakdowns']];
export type ExportQuery = NonNullable<
  paths['/api/v1/analytics/export']['get']['parameters']['query']
>;

export function useAnalytics(query: AnalyticsQuery, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['analytics', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/analytics', { params: { query }, signal })),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
  });
}

/** Raw events as CSV, fetched through the client (it carries the workspace header). */
export function useExportScans() {
  return useMutation({
    mutationFn: (query: ExportQuery) =>
      unwrap(
        api.GET('/api/v1/analytics/export', { params: { query }, parseAs: 'blob' }),
      ) as Promise<Blob>,
  });
}

/** One scan as the live stream sends it (src/analytics/routes.ts). */
export interface LiveScan {
  id: string;
  time: string;
  linkId: string;
  via: 'qr' | 'link';
  class: string;
  bot: boolean;
  country: string | null;
  device: string | null;
  os: string | null;
  browser: string | null;
  referrer: string | null;
  rule: number | null;
  variant: number | null;
}

export type LiveStatus = 'connecting' | 'open' | 'closed' | 'unavailable';
const KEEP_SCANS = 50;
const MAX_RETRY_MS = 30_000;

/**
 * The workspace's scans as they happen, from the SSE stream. Read with fetch (not EventSource)
 * so the workspace header goes along; reconnects with backoff, and refreshes the charts at most
 * every 10 s while scans arrive.
 */
export function useLiveScans(enabled: boolean): {
  scans: LiveScan[];
  status: LiveStatus;
  detail: string | null;
} {
  const queryClient = useQueryClient();
  const [scans, setScans] = useState<LiveScan[]>([]);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [detail, setDetail] = useState<string | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let retryMs = 1000;
    let lastRefresh = 0;
    const parser = createParser({
      onEvent(message) {
        if (message.event !== 'scan') return;
        const scan = JSON.parse(message.data) as LiveScan;
        setScans((previous) => [scan, ...previous].slice(0, KEEP_SCANS));
        if (Date.now() - lastRefresh > 10_000) {
          lastRefresh = Date.now();
          void queryClient.invalidateQueries({ queryKey: ['analytics'] });
        }
      },
    });

    const connect = async (): Promise<void> => {
      while (!abort.signal.aborted) {
        setStatus('connecting');
        try {
          const body = await unwrap(
            api.GET('/api/v1/analytics/live', { parseAs: 'stream', signal: abort.signal }),
          );
          if (!body) throw new Error('empty stream');
          setStatus('open');
          setDetail(null);
          retryMs = 1000;
          parser.reset();
          const reader = (body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.feed(decoder.decode(value, { stream: true }));
          }
        } catch (err) {
          if (abort.signal.aborted) return;
          if (
            err instanceof ProblemError &&
            err.status >= 400 &&
            err.status < 500 &&
            err.status !== 429
          ) {
            setStatus('unavailable');
            setDetail(err.problem.detail);
            return;
          }
        }
        if (abort.signal.aborted) return;
        setStatus('closed');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    };
    void connect();
    return () => abort.abort();
  }, [enabled, queryClient]);

  return { scans, status, detail };
}
