// The signed-in user: GET /api/v1/me, cached by TanStack Query under ['me']. Signing in sets
// the session cookies (the server does it), then loads /me; signing out ends the session on the
// server and clears every cached query.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { api, hasSessionCookie, isApiError, onSessionEnded } from './api';
import type { Me } from './types';

export const ME_KEY = ['me'] as const;

async function fetchMe(): Promise<Me | null> {
  // Without the readable CSRF cookie there is no session: do not ask (and log a 401).
  if (!hasSessionCookie()) return null;
  try {
    return await api.get<Me>('/api/v1/me');
  } catch (e) {
    if (isApiError(e) && e.status === 401) return null;
    throw e;
  }
}

export function useSession() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });

  useEffect(
    () =>
      onSessionEnded(() => {
        qc.setQueryData(ME_KEY, null);
      }),
    [qc],
  );

  const signedIn = useCallback(async () => {
    qc.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
    await qc.fetchQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 0 });
  }, [qc]);

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout');
    } finally {
      qc.clear();
      qc.setQueryData(ME_KEY, null);
    }
  }, [qc]);

  return {
    me: q.data ?? null,
    loading: q.isPending,
    error: q.error,
    signedIn,
    signOut,
    refetch: q.refetch,
  };
}
