// React's view of the session and of the signed-in user (GET /api/v1/auth/me).
import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { currentAccessToken, subscribe } from '../api/session';

export function useSignedIn(): boolean {
  return useSyncExternalStore(subscribe, () => currentAccessToken() !== null);
}

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: async () => unwrap(await api.GET('/api/v1/auth/me')) });
}
