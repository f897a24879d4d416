import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_RETRY_GRACE_MS } from '../../src/auth/refresh-tokens.js';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, signUp, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { keyVerifier } from '../../src/http/authenticate.js';
import { verifyKey } from '../../src/keys/verify-key.js';

for (const target of databaseTargets()) {
  describe(`sign-in on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => gw.app.inject({ method: 'POST', url, payload: payload as object, headers });

    it('registers the seed user and signs in with bearer tokens', async () => {
      const email = `apitest-${target.name}@example.com`;
      rememberSecret('stringst');
      const registered = await post('/api/v1/auth/register', { email, name: 'string', is_active: true, password: 'stringst' });
      expect(registered.statusCode).toBe(201);
      expect(registered.json()).toEqual({ id: expect.stringMatching(/^usr_/), email, name: 'string', is_active: true });

      const login = await post('/api/v1/auth/login', { email, password: 'stringst' });
      expect(login.statusCode).toBe(200);
      const tokens = login.json();
      rememberSecret(tokens.access_token, tokens.refresh_token);
      expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 900, access_token: expect.any(String), refresh_token: expect.any(String) });

      const me = await gw.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(me.json()).toMatchObject({ email, memberships: [{ kind: 'personal', role: 'owner' }] });
    });

    it('refuses a duplicate email, in any case, with 409', async () => {
      const user = await signUp(gw.app);
      const again = await post('/api/v1/auth/register', { email: user.email.toUpperCase(), password: 'another-fine-pass' });
      expect(again.statusCode).toBe(409);
      expect(again.json().errors[0]).toMatchObject({ code: 'conflict', field: 'email' });
    });

    it.each([
      ['too short', 'short7!'],
      ['too long', 'x'.repeat(129)],
      ['common', 'password123'],
    ])('refuses a %s password with a 422 naming the field', async (_name, password) => {
      const response = await post('/api/v1/auth/register', { email: `p-${Math.random()}@example.com`, password });
      expect(response.statusCode).toBe(422);
      expect(response.json().errors[0]).toMatchObject({ code: 'validation_error', field: 'password' });
    });

    it('answers an unknown email and a wrong password identically', async () => {
      const user = await signUp(gw.app);
      const unknown = await post('/api/v1/auth/login', { email: `nobody-${Math.random()}@example.com`, password: 'whatever-pass' });
      const wrong = await post('/api/v1/auth/login', { email: user.email, password: 'wrong-password' });
      expect(unknown.statusCode).toBe(401);
      expect(wrong.statusCode).toBe(401);
      const strip = (body: { meta: unknown }) => ({ ...body, meta: undefined });
      expect(strip(unknown.json())).toEqual(strip(wrong.json()));
    });

    it('throttles repeated failed sign-ins for one email with 429 and Retry-After', async () => {
      const user = await signUp(gw.app);
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 12; i++) {
        const response = await post('/api/v1/auth/login', { email: user.email, password: `wrong-${i}-password` });
        statuses.push(response.statusCode);
        if (response.statusCode === 429) retryAfter = response.headers['retry-after'] as string;
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual([429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      // Even the right password is refused while throttled.
      expect((await post('/api/v1/auth/login', { email: user.email, password: user.password })).statusCode).toBe(429);
    });

    it('rotates the refresh token on every use', async () => {
      const user = await signUp(gw.app);
      const first = await post('/api/v1/auth/refresh', { refresh_token: user.refreshToken });
      expect(first.statusCode).toBe(200);
      const next = first.json();
      rememberSecret(next.access_token, next.refresh_token);
      expect(next.refresh_token).not.toBe(user.refreshToken);
      const second = await post('/api/v1/auth/refresh', { refresh_token: next.refresh_token });
      expect(second.statusCode).toBe(200);
      rememberSecret(second.json().refresh_token, second.json().access_token);
    });

    it('revokes the whole family when a rotated token is reused after the grace window', async () => {
      const user = await signUp(gw.app);
      const rotated = await gw.services.refreshTokens.rotate(user.refreshToken);
      expect(rotated.ok).toBe(true);
      const successor = rotated.ok ? rotated.token : '';
      rememberSecret(successor);
      const later = new Date(Date.now() + REFRESH_RETRY_GRACE_MS + 1000);
      expect(await gw.services.refreshTokens.rotate(user.refreshToken, later)).toEqual({ ok: false, reason: 'reused' });
      // The thief's (or victim's) newer token died with the family.
      const response = await post('/api/v1/auth/refresh', { refresh_token: successor });
      expect(response.statusCode).toBe(401);
      expect(response.json().errors[0].code).toBe('invalid_token');
      expect(await gw.services.storage.refreshTokens.liveFamilies(user.userId, new Date().toISOString())).toEqual([]);
    });

    it('lets a client retry a refresh within the grace window, leaving one live token', async () => {
      const user = await signUp(gw.app);
      const first = await post('/api/v1/auth/refresh', { refresh_token: user.refreshToken });
      const retry = await post('/api/v1/auth/refresh', { refresh_token: user.refreshToken });
      rememberSecret(first.json().refresh_token, retry.json().refresh_token, first.json().access_token, retry.json().access_token);
      expect([first.statusCode, retry.statusCode]).toEqual([200, 200]);
      // The answer the client lost is withdrawn; the retried one works.
      expect((await post('/api/v1/auth/refresh', { refresh_token: first.json().refresh_token })).statusCode).toBe(401);
    });

    it('never leaves two live families after parallel refreshes of one token', async () => {
      const user = await signUp(gw.app);
      const responses = await Promise.all(Array.from({ length: 6 }, () => post('/api/v1/auth/refresh', { refresh_token: user.refreshToken })));
      for (const r of responses) if (r.statusCode === 200) rememberSecret(r.json().refresh_token, r.json().access_token);
      const now = new Date().toISOString();
      const families = await gw.services.storage.refreshTokens.liveFamilies(user.userId, now);
      expect(families.length).toBeLessThanOrEqual(1);
      if (families.length === 1) expect(await gw.services.storage.refreshTokens.liveTokens(families[0]!, now)).toHaveLength(1);
    });

    it('logs out by revoking the refresh family', async () => {
      const user = await signUp(gw.app);
      const logout = await post('/api/v1/auth/logout', { refresh_token: user.refreshToken });
      expect(logout.statusCode).toBe(204);
      expect((await post('/api/v1/auth/refresh', { refresh_token: user.refreshToken })).statusCode).toBe(401);
    });

    it('retires earlier access tokens and all refresh tokens on a password change', async () => {
      const user = await signUp(gw.app);
      const changed = await post('/api/v1/auth/password', { current_password: user.password, new_password: 'a-brand-new-passphrase' }, user.auth);
      rememberSecret('a-brand-new-passphrase');
      expect(changed.statusCode).toBe(204);
      expect((await gw.app.inject({ url: '/api/v1/auth/me', headers: user.auth })).statusCode).toBe(401);
      expect((await post('/api/v1/auth/refresh', { refresh_token: user.refreshToken })).statusCode).toBe(401);
      const login = await post('/api/v1/auth/login', { email: user.email, password: 'a-brand-new-passphrase' });
      expect(login.statusCode).toBe(200);
      rememberSecret(login.json().access_token, login.json().refresh_token);
      expect((await gw.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${login.json().access_token}` } })).statusCode).toBe(200);
    });

    it('refuses a refresh token where an access token is expected', async () => {
      const user = await signUp(gw.app);
      const response = await gw.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${user.refreshToken}` } });
      expect(response.statusCode).toBe(401);
      expect(response.json().errors[0].code).toBe('invalid_token');
    });

    it('deletes a user with their password: keys and tokens stop working, the audit trail stays', async () => {
      const user = await signUp(gw.app);
      const created = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: user.auth, payload: { name: 'k' } });
      rememberSecret(created.json().key);
      const personal = await gw.services.storage.accounts.findPersonal(user.userId);
      const deleted = await gw.app.inject({ method: 'DELETE', url: '/api/v1/auth/register', headers: user.auth, payload: { password: user.password } });
      expect(deleted.statusCode).toBe(204);
      expect(await gw.services.storage.users.findById(user.userId)).toBeUndefined();
      expect((await verifyKey(keyVerifier(gw.services), { credential: created.json().key, origin: undefined }, new Date())).ok).toBe(false);
      expect((await post('/api/v1/auth/refresh', { refresh_token: user.refreshToken })).statusCode).toBe(401);
      const audit = await gw.services.storage.audit.listByAccount(personal!.id, { limit: 10 });
      expect(audit.events.map((e) => e.action)).toContain('user.deleted');
    });

    it('answers an anonymous delete with 401 before looking at the body', async () => {
      expect((await gw.app.inject({ method: 'DELETE', url: '/api/v1/auth/register' })).statusCode).toBe(401);
    });

    it('does not let access tokens from before a deactivation work after reactivation', async () => {
      const user = await signUp(gw.app);
      const at = new Date().toISOString();
      await gw.services.storage.users.setActive(user.userId, false, at);
      await gw.services.storage.users.setActive(user.userId, true, at);
      expect((await gw.app.inject({ url: '/api/v1/auth/me', headers: user.auth })).statusCode).toBe(401);
    });

    it('refuses to delete a user with a wrong password', async () => {
      const user = await signUp(gw.app);
      const response = await gw.app.inject({ method: 'DELETE', url: '/api/v1/auth/register', headers: user.auth, payload: { password: 'not-my-password' } });
      expect(response.statusCode).toBe(403);
      expect(await gw.services.storage.users.findById(user.userId)).toBeDefined();
    });
  });
}
