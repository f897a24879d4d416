// The console's session (SPEC §11): with `use_cookie`, the refresh token lives in an HttpOnly,
// SameSite=Strict cookie on /api/v1/auth, is rotated on every refresh, is read only from this
// server's own origin, and is cleared by logout. Over a real socket: cookies are headers a browser
// keeps, and `Secure` depends on how the client reached the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { cookieOf } from '../support/cookies.js';

let gw: TestGateway;
let base: string;
let user: SignedIn;

beforeAll(async () => {
  gw = await startTestGateway({ env: { TOLLGATE_TRUST_PROXY: '127.0.0.1' } });
  await gw.app.listen({ host: '127.0.0.1', port: 0 });
  const address = gw.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  user = await signUp(gw.app);
});
afterAll(() => gw?.close());

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** The `tollgate_refresh` cookie a response sets: its value and attributes. */
const refreshCookie = (response: Response) => cookieOf(response, 'tollgate_refresh');

async function signInWithCookie(headers: Record<string, string> = {}) {
  const response = await post('/api/v1/auth/login', { email: user.email, password: user.password, use_cookie: true }, headers);
  expect(response.status).toBe(200);
  const body = await response.json();
  rememberSecret(body.access_token);
  return { body, cookie: refreshCookie(response)! };
}

describe('the refresh cookie', () => {
  it('is set HttpOnly, SameSite=Strict on the auth path, and the token stays out of the body', async () => {
    const { body, cookie } = await signInWithCookie();
    expect(body).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
    expect(body).not.toHaveProperty('refresh_token');
    expect(cookie.value).not.toBe('');
    expect(cookie.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api/v1/auth']));
    expect(cookie.attributes.some((a) => a.startsWith('max-age='))).toBe(true);
    // Plain http: a Secure cookie would never come back, so it is not marked Secure.
    expect(cookie.attributes).not.toContain('secure');
  });

  it('is marked Secure when a trusted proxy says the client used HTTPS', async () => {
    const { cookie } = await signInWithCookie({ 'x-forwarded-proto': 'https' });
    expect(cookie.attributes).toContain('secure');
  });

  it('refreshes from the same origin, rotating the cookie; a forged cookie is refused', async () => {
    const { cookie } = await signInWithCookie();
    const refreshed = await post('/api/v1/auth/refresh', {}, { cookie: `tollgate_refresh=${cookie.value}`, origin: base });
    expect(refreshed.status).toBe(200);
    const body = await refreshed.json();
    rememberSecret(body.access_token);
    expect(body).not.toHaveProperty('refresh_token');
    const next = refreshCookie(refreshed)!;
    expect(next.value).not.toBe(cookie.value);
    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect((await me.json()).email).toBe(user.email);
    // Past the retry grace the superseded token is reuse; inside it, the family survives one retry.
    // Either way the new cookie works and a forged one does not.
    const forged = await post('/api/v1/auth/refresh', {}, { cookie: 'tollgate_refresh=rt_forged', origin: base });
    expect(forged.status).toBe(401);
  });

  it('refuses a cookie refresh from another origin or without an Origin header (CSRF)', async () => {
    const { cookie } = await signInWithCookie();
    const cross = await post('/api/v1/auth/refresh', {}, { cookie: `tollgate_refresh=${cookie.value}`, origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect((await cross.json()).errors[0].code).toBe('forbidden');
    const bare = await post('/api/v1/auth/refresh', {}, { cookie: `tollgate_refresh=${cookie.value}` });
    expect(bare.status).toBe(403);
    // The cookie was not spent by the refused attempts.
    const same = await post('/api/v1/auth/refresh', {}, { cookie: `tollgate_refresh=${cookie.value}`, origin: base });
    expect(same.status).toBe(200);
    refreshCookie(same);
    rememberSecret((await same.json()).access_token);
  });

  it('answers 401 with a suggestion when neither body nor cookie carries a token', async () => {
    const response = await post('/api/v1/auth/refresh', {}, { origin: base });
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0]).toMatchObject({ code: 'invalid_token', suggestion: 'Sign in again.' });
  });

  it('logout revokes the cookie\'s family and clears the cookie; signing out again is not an error', async () => {
    const { cookie } = await signInWithCookie();
    const out = await post('/api/v1/auth/logout', {}, { cookie: `tollgate_refresh=${cookie.value}`, origin: base });
    expect(out.status).toBe(204);
    const cleared = refreshCookie(out)!;
    expect(cleared.value).toBe('');
    expect(cleared.attributes.some((a) => a.startsWith('expires=thu, 01 jan 1970') || a === 'max-age=0')).toBe(true);
    const after = await post('/api/v1/auth/refresh', {}, { cookie: `tollgate_refresh=${cookie.value}`, origin: base });
    expect(after.status).toBe(401);
    const again = await post('/api/v1/auth/logout', {}, { origin: base });
    expect(again.status).toBe(204);
  });

  it('leaves API clients as they were: no cookie, the refresh token in the body', async () => {
    const response = await post('/api/v1/auth/login', { email: user.email, password: user.password });
    const body = await response.json();
    rememberSecret(body.access_token, body.refresh_token);
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(refreshCookie(response)).toBeUndefined();
    const unknown = await post('/api/v1/auth/login', { email: user.email, password: user.password, use_cookies: true });
    expect(unknown.status).toBe(422);
  });
});
