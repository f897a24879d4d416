// A Tollgate with single sign-on against a real OpenID Connect issuer (test/support/oidc-issuer.ts),
// listening on a socket, and the browser's moves: /start, the issuer's pages, /callback with the
// attempt cookie, then the refresh cookie used as the console uses it.
import { expect } from 'vitest';
import type { DatabaseTarget } from './databases.js';
import { writeConfigFile } from './gateway-fixture.js';
import { startTestGateway, type TestGateway } from './harness.js';
import { cookieOf } from './cookies.js';
import { rememberSecret } from './log-capture.js';
import { startTestIssuer, type TestIssuer } from './oidc-issuer.js';

let emailCounter = 0;
export const uniqueEmail = (domain = 'example.com') => `sso${++emailCounter}-${Date.now().toString(36)}@${domain}`;

export interface CallbackResult {
  location: string;
  refresh: ReturnType<typeof cookieOf>;
  attempt: ReturnType<typeof cookieOf>;
}

export interface Tamper {
  callback?: (url: URL) => void;
  /** The attempt cookie to send back instead of the one /start set; null: none. */
  attemptCookie?: (value: string) => string | null;
}

/** GET /api/v1/auth/me, as far as these tests read it. */
export interface Me {
  id: string;
  email: string;
  name: string | null;
  is_active: boolean;
  is_operator: boolean;
  memberships: Array<{ account_id: string; kind: string; role: string }>;
}

export interface SsoFixture {
  issuer: TestIssuer;
  gw: TestGateway;
  base: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  start(providerId: string): Promise<{ location: URL; attempt: NonNullable<ReturnType<typeof cookieOf>>; response: Response }>;
  signInWith(providerId: string, login: string, tamper?: Tamper): Promise<CallbackResult>;
  meWith(refreshCookie: string): Promise<Me>;
  close(): Promise<void>;
}

/**
 * Providers: `test-idp` (named "Test IdP"), `corp` (emails at corp.example only), both at the test
 * issuer, and `down`, whose issuer does not answer. A trusted proxy on loopback may report the
 * browser's scheme and host.
 */
export async function startSsoFixture(target: DatabaseTarget): Promise<SsoFixture> {
  const issuer = await startTestIssuer();
  rememberSecret(issuer.clientSecret);
  const client = { issuer: issuer.issuer, client_id: issuer.clientId, client_secret: issuer.clientSecret };
  const config = writeConfigFile({
    sso: {
      providers: [
        { id: 'test-idp', name: 'Test IdP', ...client },
        { id: 'corp', ...client, allowed_email_domains: ['Corp.Example'] },
        // Nothing listens on port 1: discovery fails when first used.
        { id: 'down', issuer: 'http://127.0.0.1:1', client_id: 'x', client_secret: 'unused-secret' },
      ],
    },
  });
  const gw = await startTestGateway({ target, env: { TOLLGATE_CONFIG: config.path, TOLLGATE_TRUST_PROXY: '127.0.0.1' } });
  await gw.app.listen({ host: '127.0.0.1', port: 0 });
  const address = gw.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  issuer.registerClient(['test-idp', 'corp'].map((id) => `${base}/api/v1/auth/sso/${id}/callback`));

  const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, base), { redirect: 'manual', headers });

  async function start(providerId: string) {
    const response = await get(`/api/v1/auth/sso/${providerId}/start`);
    expect(response.status).toBe(302);
    return { location: new URL(response.headers.get('location')!), attempt: cookieOf(response, 'tollgate_sso')!, response };
  }

  async function signInWith(providerId: string, login: string, tamper: Tamper = {}): Promise<CallbackResult> {
    const { location, attempt } = await start(providerId);
    const callback = await issuer.signIn(location.href, login);
    expect(callback.href.startsWith(`${base}/api/v1/auth/sso/${providerId}/callback?`)).toBe(true);
    rememberSecret(callback.searchParams.get('code'));
    tamper.callback?.(callback);
    const cookie = tamper.attemptCookie ? tamper.attemptCookie(attempt.value) : attempt.value;
    const response = await fetch(callback, { redirect: 'manual', headers: cookie === null ? {} : { cookie: `tollgate_sso=${cookie}` } });
    expect(response.status).toBe(302);
    return { location: response.headers.get('location')!, refresh: cookieOf(response, 'tollgate_refresh'), attempt: cookieOf(response, 'tollgate_sso') };
  }

  async function meWith(refreshCookie: string): Promise<Me> {
    const refreshed = await fetch(`${base}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, cookie: `tollgate_refresh=${refreshCookie}` },
      body: '{}',
    });
    expect(refreshed.status).toBe(200);
    cookieOf(refreshed, 'tollgate_refresh');
    const { access_token: accessToken } = await refreshed.json();
    rememberSecret(accessToken);
    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    return (await me.json()) as Me;
  }

  return {
    issuer,
    gw,
    base,
    get,
    start,
    signInWith,
    meWith,
    async close() {
      await gw.close();
      await issuer.close();
      config.remove();
    },
  };
}

/** A refused sign-in: back to the sign-in page with `sso_error` matching `message`, and no session. */
export function expectRefused(base: string, result: Pick<CallbackResult, 'location' | 'refresh'>, message: RegExp): void {
  const url = new URL(result.location, base);
  expect(url.pathname).toBe('/console/sign-in');
  expect(url.searchParams.get('sso_error')).toMatch(message);
  expect(result.refresh).toBeUndefined();
}
