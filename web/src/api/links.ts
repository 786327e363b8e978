import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { paths } from './schema';
import { api, unwrap } from './client';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Link = Json<paths['/api/v1/links/{linkId}']['get']['responses'][200]>;
export type LinkInput =
  paths['/api/v1/links']['post']['requestBody']['content']['application/json'];
export type LinkChanges =
  paths['/api/v1/links/{linkId}']['patch']['requestBody']['content']['application/json'];
export type LinkListQuery = NonNullable<paths['/api/v1/links']['get']['parameters']['query']>;
export type Rules = NonNullable<Link['rules']>;
export type Rule = Rules[number];
export type Conditions = Rule['when'];
export type QrOptions = NonNullable<
  paths['/api/v1/links/{linkId}/qr']['get']['parameters']['query']
>;
export type SimulateInput =
  paths['/api/v1/links/{linkId}/simulate']['post']['requestBody']['content']['application/json'];
export type Simulation = Json<paths['/api/v1/links/{linkId}/simulate']['post']['responses'][200]>;

export function useLinks(query: LinkListQuery) {
  return useQuery({
    queryKey: ['links', 'list', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/links', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useLink(linkId: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['links', 'one', linkId],
    enabled: options.enabled ?? true,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/links/{linkId}', { params: { path: { linkId } }, signal })),
  });
}

export function useCreateLink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LinkInput) => unwrap(api.POST('/api/v1/links', { body })),
    onSuccess: (link) => {
      queryClient.setQueryData(['links', 'one', link.id], link);
      void queryClient.invalidateQueries({ queryKey: ['links', 'list'] });
      void queryClient.invalidateQueries({ queryKey: ['billing'] });
    },
  });
}

export function useUpdateLink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ linkId, changes }: { linkId: string; changes: LinkChanges }) =>
      unwrap(api.PATCH('/api/v1/links/{linkId}', { params: { path: { linkId } }, body: changes })),
    onSuccess: (link) => {
      queryClient.setQueryData(['links', 'one', link.id], link);
      void queryClient.invalidateQueries({ queryKey: ['links', 'list'] });
    },
  });
}

export function useArchiveLink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (linkId: string) =>
      unwrap(api.DELETE('/api/v1/links/{linkId}', { params: { path: { linkId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['links'] }),
  });
}

/** The server-rendered QR code of a link, as a Blob (SVG or PNG). */
export function useLinkQr(linkId: string | undefined, options: QrOptions) {
  return useQuery({
    queryKey: ['links', 'qr', linkId, options],
    enabled: linkId !== undefined,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/links/{linkId}/qr', {
          params: { path: { linkId: linkId ?? '' }, query: options },
          parseAs: 'blob',
          signal,
        }),
      ) as Promise<Blob>,
    placeholderData: keepPreviousData,
    staleTime: 300_000,
  });
}

export function useSimulate(linkId: string) {
  return useMutation({
    mutationFn: (body: SimulateInput) =>
      unwrap(api.POST('/api/v1/links/{linkId}/simulate', { params: { path: { linkId } }, body })),
  });
}

/** A QR code file for download (any format and style), fetched on demand. */
export function useQrDownload() {
  return useMutation({
    mutationFn: ({ linkId, options }: { linkId: string; options: QrOptions }) =>
      unwrap(
        api.GET('/api/v1/links/{linkId}/qr', {
          params: { path: { linkId }, query: options },
          parseAs: 'blob',
        }),
      ) as Promise<Blob>,
  });
}

/** Bulk actions run one request per link (the API has no bulk endpoint), a few at a time. */
async function eachLink<T>(
  ids: readonly string[],
  run: (id: string) => Promise<T>,
): Promise<{ done: number; failed: { id: string; error: unknown }[] }> {
  const failed: { id: string; error: unknown }[] = [];
  let done = 0;
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await run(id);
        done++;
      } catch (error) {
        failed.push({ id, error });
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { done, failed };
}

export function useBulkArchive() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ids: readonly string[]) =>
      eachLink(ids, (linkId) =>
        unwrap(api.DELETE('/api/v1/links/{linkId}', { params: { path: { linkId } } })),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['links'] }),
  });
}

export function useBulkTag() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ links, tag }: { links: readonly Link[]; tag: string }) => {
      const byId = new Map(links.map((l) => [l.id, l]));
      return eachLink([...byId.keys()], (linkId) => {
        const tags = byId.get(linkId)?.tags ?? [];
        return tags.includes(tag)
          ? Promise.resolve(null)
          : unwrap(
              api.PATCH('/api/v1/links/{linkId}', {
                params: { path: { linkId } },
                body: { tags: [...tags, tag] },
              }),
            );
      });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['links'] }),
  });
}
