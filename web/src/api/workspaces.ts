import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { paths } from './schema';
import { api, unwrap } from './client';
import { selectWorkspace } from './workspace';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Workspace = Json<paths['/api/v1/workspaces/{workspaceId}']['get']['responses'][200]>;
export type Member = Json<
  paths['/api/v1/workspaces/{workspaceId}/members']['get']['responses'][200]
>['items'][number];
export type Invitation = Json<
  paths['/api/v1/workspaces/{workspaceId}/invitations']['get']['responses'][200]
>['items'][number];
export type Role = 'owner' | 'admin' | 'member' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];

export function useWorkspaces() {
  return useQuery({
    queryKey: ['workspaces'],
    queryFn: () => unwrap(api.GET('/api/v1/workspaces', { params: { query: { limit: 100 } } })),
  });
}

/** Switching clears every cached answer: they all belong to the previous workspace. */
export function useSwitchWorkspace() {
  const queryClient = useQueryClient();
  return (workspaceId: string) => {
    selectWorkspace(workspaceId);
    queryClient.clear();
    void queryClient.invalidateQueries();
  };
}

export function useCreateWorkspace() {
  const switchTo = useSwitchWorkspace();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/v1/workspaces', { body: { name } })),
    onSuccess: (workspace) => switchTo(workspace.id),
  });
}

export function useUpdateWorkspace(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; track?: boolean }) =>
      unwrap(
        api.PATCH('/api/v1/workspaces/{workspaceId}', {
          params: { path: { workspaceId } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

export function useDeleteWorkspace(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE('/api/v1/workspaces/{workspaceId}', { params: { path: { workspaceId } } })),
    onSuccess: () => {
      selectWorkspace(null);
      queryClient.clear();
      void queryClient.invalidateQueries();
    },
  });
}

export function useMembers(workspaceId: string) {
  return useInfiniteQuery({
    queryKey: ['members', workspaceId],
    enabled: workspaceId !== '',
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspaceId}/members', {
          params: { path: { workspaceId }, query: { limit: 50, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useChangeRole(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(
        api.PATCH('/api/v1/workspaces/{workspaceId}/members/{userId}', {
          params: { path: { workspaceId, userId } },
          body: { role },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['members', workspaceId] }),
  });
}

export function useRemoveMember(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        api.DELETE('/api/v1/workspaces/{workspaceId}/members/{userId}', {
          params: { path: { workspaceId, userId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['members', workspaceId] }),
  });
}

export function useInvitations(workspaceId: string) {
  return useQuery({
    queryKey: ['invitations', workspaceId],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspaceId}/invitations', {
          params: { path: { workspaceId }, query: { limit: 100 } },
        }),
      ),
  });
}

export function useInvite(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      unwrap(
        api.POST('/api/v1/workspaces/{workspaceId}/invitations', {
          params: { path: { workspaceId } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['invitations', workspaceId] }),
  });
}

export function useWithdrawInvitation(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        api.DELETE('/api/v1/workspaces/{workspaceId}/invitations/{invitationId}', {
          params: { path: { workspaceId, invitationId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['invitations', workspaceId] }),
  });
}
