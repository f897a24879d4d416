// The browser session (SPEC §11): the access token lives in this module's memory only; the refresh
// token is an HttpOnly cookie the page never sees. A reload restores the session with one refresh;
// the token is refreshed before it expires and once on a 401. Refreshes are single-flight: the
// server rotates the refresh token and treats a reused one as theft, so two at once would sign out.
import { problemFrom } from './problem';

interface TokenPair {
  access_token: string;
  expires_in: number;
}

let accessToken: string | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function adopt(pair: TokenPair | null): void {
  clearTimeout(timer);
  accessToken = pair?.access_token ?? null;
  // Refresh at 80% of the lifetime, so a request never goes out with a token about to lapse.
  if (pair) timer = setTimeout(() => void refreshSession(), Math.max(5, pair.expires_in * 0.8) * 1000);
  notify();
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
}

export function currentAccessToken(): string | null {
  return accessToken;
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Exchanges the cookie for a fresh access token; false when there is no session. */
export function refreshSession(): Promise<boolean> {
  inFlight ??= (async () => {
    try {
      const response = await post('/api/v1/auth/refresh', {});
      adopt(response.ok ? ((await response.json()) as TokenPair) : null);
      return response.ok;
    } catch {
      return false;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

export async function signIn(email: string, password: string): Promise<void> {
  const response = await post('/api/v1/auth/login', { email, password, use_cookie: true });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw problemFrom(response.status, body);
  adopt(body as TokenPair);
}

export async function signOut(): Promise<void> {
  try {
    await post('/api/v1/auth/logout', {});
  } finally {
    adopt(null);
  }
}
