import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { paths } from './schema';
import { api, unwrap } from './client';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Domain = Json<paths['/api/v1/domains']['post']['responses'][201]>;
export type DomainInput =
  paths['/api/v1/domains']['post']['requestBody']['content']['application/json'];

const domainsKey = ['domains'] as const;

export function useDomains() {
  return useQuery({
    queryKey: domainsKey,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/domains', { params: { query: { limit: 100 } }, signal })),
  });
}

export function useAddDomain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: DomainInput) => unwrap(api.POST('/api/v1/domains', { body })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: domainsKey });
      void queryClient.invalidateQueries({ queryKey: ['billing'] });
    },
  });
}

export function useUpdateDomain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      domainId,
      changes,
    }: {
      domainId: string;
      changes: { rootUrl?: string | null; notFoundUrl?: string | null };
    }) =>
      unwrap(
        api.PATCH('/api/v1/domains/{domainId}', { params: { path: { domainId } }, body: changes }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: domainsKey }),
  });
}

export function useVerifyDomain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (domainId: string) =>
      unwrap(api.POST('/api/v1/domains/{domainId}/verify', { params: { path: { domainId } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: domainsKey }),
  });
}

export function useRemoveDomain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (domainId: string) =>
      unwrap(api.DELETE('/api/v1/domains/{domainId}', { params: { path: { domainId } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: domainsKey });
      void queryClient.invalidateQueries({ queryKey: ['billing'] });
    },
  });
}
