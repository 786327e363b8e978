import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components, paths } from './schema';
import { api, unwrap } from './client';
import { ProblemError } from './problem';
import { selectWorkspace } from './workspace';

export type Me = paths['/api/v1/me']['get']['responses'][200]['content']['application/json'];
export type SignupBody =
  paths['/api/v1/auth/signup']['post']['requestBody']['content']['application/json'];
export type Problem = components['schemas']['Problem'];

export const meKey = ['me'] as const;

/** The signed-in user and the workspace the dashboard acts in; null when signed out. */
export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await unwrap(api.GET('/api/v1/me'));
      } catch (err) {
        if (err instanceof ProblemError && err.status === 401) return null;
        // The remembered workspace is gone (left, removed, deleted): fall back to the default.
        if (err instanceof ProblemError && err.status === 404) {
          selectWorkspace(null);
          return unwrap(api.GET('/api/v1/me'));
        }
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

function useSignedIn() {
  const queryClient = useQueryClient();
  return (me: Me) => {
    queryClient.clear();
    selectWorkspace(me.workspace?.id ?? null);
    queryClient.setQueryData(meKey, me);
  };
}

export function useLogin() {
  const signedIn = useSignedIn();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) =>
      unwrap(api.POST('/api/v1/auth/login', { body })),
    onSuccess: signedIn,
  });
}

export function useSignup() {
  const signedIn = useSignedIn();
  return useMutation({
    mutationFn: (body: SignupBody) => unwrap(api.POST('/api/v1/auth/signup', { body })),
    onSuccess: signedIn,
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      selectWorkspace(null);
      queryClient.clear();
      queryClient.setQueryData(meKey, null);
    },
  });
}

export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (body: { email: string }) =>
      unwrap(api.POST('/api/v1/auth/password-reset', { body })),
  });
}

export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) =>
      unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body })),
  });
}

export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { token: string }) =>
      unwrap(api.POST('/api/v1/invitations/accept', { body })),
    onSuccess: (workspace) => {
      selectWorkspace(workspace.id);
      void queryClient.invalidateQueries();
    },
  });
}
