import { useMutation, useQuery } from '@tanstack/react-query';
import type { paths } from './schema';
import { api, unwrap } from './client';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Billing = Json<paths['/api/v1/billing']['get']['responses'][200]>;
export type Plan = Json<paths['/api/v1/plans']['get']['responses'][200]>['items'][number];
export type Limits = Billing['limits'];
export type Usage = Billing['usage'];

export function useBilling(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['billing'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/billing', { signal })),
    enabled: options.enabled ?? true,
    staleTime: 30_000,
  });
}

export function usePlans() {
  return useQuery({
    queryKey: ['plans'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/plans', { signal })),
    staleTime: 300_000,
  });
}

/** Both answer with a Stripe URL the browser then goes to. */
export function useCheckout() {
  return useMutation({
    mutationFn: (plan: string) =>
      unwrap(
        api.POST('/api/v1/billing/checkout', {
          body: { plan },
          headers: { 'idempotency-key': crypto.randomUUID() },
        }),
      ),
    onSuccess: ({ url }) => window.location.assign(url),
  });
}

export function usePortal() {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/billing/portal')),
    onSuccess: ({ url }) => window.location.assign(url),
  });
}
