// Data hooks over the API (TanStack Query), and the submission of money-moving forms with an
// idempotency key that survives a retry of the same submission.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, isApiError, newIdempotencyKey } from './api';
import type { Account, Page, Transaction } from './types';

export const keys = {
  accounts: (customerId?: string) => ['accounts', customerId ?? 'mine'] as const,
  account: (id: string) => ['account', id] as const,
  history: (id: string, filters: object) => ['history', id, filters] as const,
  recent: ['recent'] as const,
  transaction: (id: string) => ['transaction', id] as const,
};

export function useAccounts(customerId?: string, enabled = true) {
  return useQuery({
    queryKey: keys.accounts(customerId),
    queryFn: () => api.get<Page<Account>>('/api/v1/accounts', customerId ? { customerId } : undefined),
    enabled,
    select: (p) => p.items,
  });
}

export function useAccount(id: string) {
  return useQuery({
    queryKey: keys.account(id),
    queryFn: () => api.get<Account>(`/api/v1/accounts/${encodeURIComponent(id)}`),
  });
}

/** After money moved or an account changed: everything that shows balances or history. */
export function useInvalidateMoney() {
  const qc = useQueryClient();
  return () =>
    Promise.all(
      ['accounts', 'account', 'history', 'recent', 'transaction', 'report'].map((k) =>
        qc.invalidateQueries({ queryKey: [k] }),
      ),
    );
}

/**
 * A money-moving POST (deposit, withdrawal, transfer). One idempotency key per submission: a
 * retry of the same body (after a network failure or a 5xx) reuses it, so the server applies
 * the movement at most once; a changed form gets a new key.
 */
export function useMoneyMovement(path: string) {
  const last = useRef<{ key: string; body: string } | null>(null);
  const invalidate = useInvalidateMoney();
  return useMutation({
    mutationFn: async (body: Record<string, unknown>) => {
      const text = JSON.stringify(body);
      if (!last.current || last.current.body !== text)
        last.current = { key: newIdempotencyKey(), body: text };
      return api.post<Transaction>(path, body, { idempotencyKey: last.current.key });
    },
    onSuccess: async () => {
      last.current = null;
      await invalidate();
    },
    onError: async (err) => {
      // A definite refusal (4xx but 429) leaves nothing to retry: the next submission is a new one.
      if (isApiError(err) && err.status >= 400 && err.status < 500 && err.status !== 429) last.current = null;
      await invalidate();
    },
  });
}
