// The typed API client: openapi-fetch over the types generated from /openapi.json (schema.d.ts).
// Every call carries the in-memory access token; a 401 refreshes the session once and retries.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { currentAccessToken, refreshSession } from './session';

const retries = new WeakMap<Request, Request>();

const auth: Middleware = {
  onRequest({ request }) {
    const token = currentAccessToken();
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    // Kept unread, so the request can be sent again after a refresh.
    retries.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || request.url.includes('/api/v1/auth/login')) return response;
    const again = retries.get(request);
    if (!again || !(await refreshSession())) return response;
    again.headers.set('authorization', `Bearer ${currentAccessToken()}`);
    return fetch(again);
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(auth);

/** The X-Account-Id header of the admin plane (an org admin acting on one account). */
export function asAccount(accountId: string): { 'X-Account-Id': string } {
  return { 'X-Account-Id': accountId };
}
