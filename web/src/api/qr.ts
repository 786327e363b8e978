import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { StaticQrRequest } from './pending';

export type { StaticQrRequest };

/** A static QR code for any text (no link, no tracking), rendered by the server. */
export function useStaticQr(request: StaticQrRequest | null) {
  return useQuery({
    queryKey: ['qr', request],
    enabled: request !== null && request.text !== '',
    queryFn: ({ signal }) =>
      unwrap(
        api.POST('/api/v1/qr', {
          body: request as StaticQrRequest,
          parseAs: 'blob',
          signal,
        }),
      ) as Promise<Blob>,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 300_000,
  });
}
