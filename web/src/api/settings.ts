import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { paths } from './schema';
import { api, unwrap } from './client';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type ApiKey = Json<paths['/api/v1/api-keys']['get']['responses'][200]>['items'][number];
export type NewApiKey = Json<paths['/api/v1/api-keys']['post']['responses'][201]>;
export type ApiKeyInput =
  paths['/api/v1/api-keys']['post']['requestBody']['content']['application/json'];
export type Scope = ApiKeyInput['scopes'][number];
export type AuditEntry = Json<paths['/api/v1/audit-log']['get']['responses'][200]>['items'][number];

export const SCOPES: readonly Scope[] = [
  'links:read',
  'links:write',
  'analytics:read',
  'domains:write',
  'billing:read',
  'workspace:admin',
];

export function useApiKeys() {
  return useQuery({
    queryKey: ['api-keys'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/api-keys', { params: { query: { limit: 100 } }, signal })),
  });
}

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiKeyInput) => unwrap(api.POST('/api/v1/api-keys', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      unwrap(api.DELETE('/api/v1/api-keys/{keyId}', { params: { path: { keyId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useAuditLog() {
  return useInfiniteQuery({
    queryKey: ['audit-log'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/audit-log', {
          params: { query: { limit: 50, cursor: pageParam } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}
