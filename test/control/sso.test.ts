// Single sign-on (SPEC §12) against a real OpenID Connect issuer (oidc-provider on 127.0.0.1),
// over real sockets: the browser's path is /start → the issuer's login and consent → /callback →
// /console/ with the refresh cookie, which then refreshes into an access token like a password
// sign-in's. On every database: users are found or created by the callback. Refusals:
// sso-refusals.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { signUp } from '../support/harness.js';
import { cookieOf } from '../support/cookies.js';
import { startSsoFixture, uniqueEmail, type SsoFixture } from '../support/sso-fixture.js';

for (const target of databaseTargets()) {
  describe(`single sign-on with OpenID Connect on ${target.name}`, () => {
    let sso: SsoFixture;
    beforeAll(async () => {
      sso = await startSsoFixture(target);
    });
    afterAll(() => sso?.close());

    it('lists the configured providers by id and name', async () => {
      const response = await sso.get('/api/v1/auth/sso/providers');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        providers: [
          { id: 'test-idp', name: 'Test IdP' },
          { id: 'corp', name: 'corp' },
          { id: 'down', name: 'down' },
        ],
      });
      // The console's typed client is generated from the OpenAPI document.
      const spec = (await sso.gw.app.inject({ url: '/openapi.json' })).json();
      expect(spec.paths['/api/v1/auth/sso/providers'].get.responses['200'].content['application/json'].schema.properties.providers.items.required).toEqual(['id', 'name']);
      expect(Object.keys(spec.paths['/api/v1/auth/sso/{id}/start'].get.responses)).toEqual(['302']);
    });

    it('starts with a code flow request (PKCE S256, state, nonce) and an HttpOnly, SameSite=Lax attempt cookie on the SSO path', async () => {
      const { location, attempt, response } = await sso.start('test-idp');
      expect(location.origin).toBe(sso.issuer.issuer);
      const params = Object.fromEntries(location.searchParams);
      expect(params).toMatchObject({
        client_id: sso.issuer.clientId,
        response_type: 'code',
        scope: 'openid email profile',
        redirect_uri: `${sso.base}/api/v1/auth/sso/test-idp/callback`,
        code_challenge_method: 'S256',
      });
      expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(params.state?.length).toBeGreaterThanOrEqual(20);
      expect(params.nonce?.length).toBeGreaterThanOrEqual(20);
      expect(attempt.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/api/v1/auth/sso', 'max-age=600']));
      expect(attempt.attributes).not.toContain('secure');
      // The attempt's secrets stay sealed: neither the state nor the nonce can be read from the cookie.
      const opened = Buffer.from(decodeURIComponent(attempt.value).slice(3), 'base64').toString('latin1');
      expect(opened).not.toContain(params.state);
      expect(opened).not.toContain(params.nonce);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('builds the redirect URI and a Secure attempt cookie from what a trusted proxy reports of the browser', async () => {
      const response = await sso.get('/api/v1/auth/sso/test-idp/start', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'tollgate.example.com' });
      expect(response.status).toBe(302);
      expect(new URL(response.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://tollgate.example.com/api/v1/auth/sso/test-idp/callback');
      expect(cookieOf(response, 'tollgate_sso')!.attributes).toContain('secure');
    });

    it('creates the user on first sign-in, whose refresh cookie then works; the next sign-in finds the same user', async () => {
      const email = uniqueEmail();
      sso.issuer.accounts.set('alice', { email: email.toUpperCase(), email_verified: true, name: 'Alice Example' });
      const first = await sso.signInWith('test-idp', 'alice');
      expect(first.location).toBe('/console/');
      expect(first.refresh!.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api/v1/auth']));
      // The attempt is spent: its cookie is cleared.
      expect(first.attempt?.value).toBe('');
      const me = await sso.meWith(first.refresh!.value);
      expect(me).toMatchObject({ email, name: 'Alice Example', is_active: true, is_operator: false });
      expect(me.memberships).toEqual([expect.objectContaining({ kind: 'personal', role: 'owner' })]);
      const audit = await sso.gw.services.storage.audit.listByAccount(me.memberships[0]!.account_id, { limit: 10 });
      expect(audit.events).toEqual([expect.objectContaining({ action: 'user.created', actorId: me.id, targetId: me.id, data: { via: 'sso', provider: 'test-idp' } })]);

      const second = await sso.signInWith('test-idp', 'alice');
      expect(second.location).toBe('/console/');
      expect((await sso.meWith(second.refresh!.value)).id).toBe(me.id);
    });

    it('signs an existing password user in by their verified email, retiring the unverified password and its sessions', async () => {
      // Registration does not verify emails: whoever registered this address first may not own it.
      // The issuer's verified email wins; the password and every session made with it end.
      const user = await signUp(sso.gw.app, { email: uniqueEmail() });
      sso.issuer.accounts.set('bob', { email: user.email, email_verified: true });
      const result = await sso.signInWith('test-idp', 'bob');
      expect((await sso.meWith(result.refresh!.value)).id).toBe(user.userId);
      const login = await sso.gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } });
      expect(login.statusCode).toBe(401);
      const oldAccess = await sso.gw.app.inject({ url: '/api/v1/auth/me', headers: user.auth });
      expect(oldAccess.statusCode).toBe(401);
      const oldRefresh = await sso.gw.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: user.refreshToken } });
      expect(oldRefresh.statusCode).toBe(401);
      const me = await sso.meWith((await sso.signInWith('test-idp', 'bob')).refresh!.value);
      const audit = await sso.gw.services.storage.audit.listByAccount(me.memberships[0]!.account_id, { limit: 10 });
      expect(audit.events).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'user.sso_linked', targetId: user.userId, data: { provider: 'test-idp', password_retired: true } })]));
    });

    it('gives a user created by SSO no password: password sign-in fails whatever is tried', async () => {
      const email = uniqueEmail();
      sso.issuer.accounts.set('carol', { email, email_verified: true });
      await sso.meWith((await sso.signInWith('test-idp', 'carol')).refresh!.value);
      // The stored marker itself, and any other guess.
      for (const password of ['!no-password', 'password123']) {
        const login = await sso.gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
        expect(login.statusCode).toBe(401);
        expect(login.json().errors[0].code).toBe('invalid_credentials');
      }
    });
  });
}
