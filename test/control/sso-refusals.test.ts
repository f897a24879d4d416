// Single sign-on refusals (SPEC §12) against a real OpenID Connect issuer: each sends the browser
// back to the sign-in page with a short `sso_error` and no session, and creates no user. Unknown
// providers are 404, an unreachable issuer 502. The sign-in itself: sso.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { cookieOf } from '../support/cookies.js';
import { expectRefused, startSsoFixture, uniqueEmail, type SsoFixture } from '../support/sso-fixture.js';

const NOT_STARTED_HERE = /attempt expired or was not started here/;

for (const target of databaseTargets()) {
  describe(`single sign-on refusals on ${target.name}`, () => {
    let sso: SsoFixture;
    beforeAll(async () => {
      sso = await startSsoFixture(target);
    });
    afterAll(() => sso?.close());

    it('refuses an email the issuer has not verified, or none at all, and creates no user', async () => {
      const email = uniqueEmail();
      sso.issuer.accounts.set('dave', { email, email_verified: false });
      expectRefused(sso.base, await sso.signInWith('test-idp', 'dave'), /not verified/);
      sso.issuer.accounts.set('erin', { name: 'No Email' });
      expectRefused(sso.base, await sso.signInWith('test-idp', 'erin'), /did not share an email/);
      expect(await sso.gw.services.storage.users.findByEmail(email)).toBeUndefined();
    });

    it("refuses an email outside the provider's allowed domains, and accepts one inside them", async () => {
      const outside = uniqueEmail('example.com');
      sso.issuer.accounts.set('frank', { email: outside, email_verified: true });
      expectRefused(sso.base, await sso.signInWith('corp', 'frank'), /email domain/);
      expect(await sso.gw.services.storage.users.findByEmail(outside)).toBeUndefined();
      const inside = uniqueEmail('corp.example');
      sso.issuer.accounts.set('grace', { email: inside, email_verified: true });
      const result = await sso.signInWith('corp', 'grace');
      expect((await sso.meWith(result.refresh!.value)).email).toBe(inside);
    });

    it('refuses a callback whose state was tampered with or left out, and spends the attempt', async () => {
      sso.issuer.accounts.set('heidi', { email: uniqueEmail(), email_verified: true });
      const tampered = await sso.signInWith('test-idp', 'heidi', { callback: (url) => url.searchParams.set('state', `${url.searchParams.get('state')}x`) });
      expectRefused(sso.base, tampered, NOT_STARTED_HERE);
      expect(tampered.attempt?.value).toBe('');
      expectRefused(sso.base, await sso.signInWith('test-idp', 'heidi', { callback: (url) => url.searchParams.delete('state') }), NOT_STARTED_HERE);
    });

    it('refuses a callback without the attempt cookie, with an altered one, or at another provider', async () => {
      sso.issuer.accounts.set('ivan', { email: uniqueEmail(), email_verified: true });
      expectRefused(sso.base, await sso.signInWith('test-idp', 'ivan', { attemptCookie: () => null }), NOT_STARTED_HERE);
      const flipped = (value: string) => value.slice(0, 10) + (value[10] === 'A' ? 'B' : 'A') + value.slice(11);
      expectRefused(sso.base, await sso.signInWith('test-idp', 'ivan', { attemptCookie: flipped }), NOT_STARTED_HERE);
      // An attempt started for one provider does not finish at another's callback.
      const { location, attempt } = await sso.start('test-idp');
      const callback = await sso.issuer.signIn(location.href, 'ivan');
      rememberSecret(callback.searchParams.get('code'));
      const elsewhere = await sso.get(`/api/v1/auth/sso/corp/callback${callback.search}`, { cookie: `tollgate_sso=${attempt.value}` });
      expect(elsewhere.status).toBe(302);
      expectRefused(sso.base, { location: elsewhere.headers.get('location')!, refresh: cookieOf(elsewhere, 'tollgate_refresh') }, NOT_STARTED_HERE);
    });

    it('refuses a sign-in the issuer answered with an error (the person declined)', async () => {
      const { location, attempt } = await sso.start('test-idp');
      const query = new URLSearchParams({ error: 'access_denied', state: location.searchParams.get('state')!, iss: sso.issuer.issuer });
      const response = await sso.get(`/api/v1/auth/sso/test-idp/callback?${query}`, { cookie: `tollgate_sso=${attempt.value}` });
      expect(response.status).toBe(302);
      expectRefused(sso.base, { location: response.headers.get('location')!, refresh: cookieOf(response, 'tollgate_refresh') }, /did not complete the sign-in/);
    });

    it('refuses a deactivated user', async () => {
      sso.issuer.accounts.set('judy', { email: uniqueEmail(), email_verified: true });
      const me = await sso.meWith((await sso.signInWith('test-idp', 'judy')).refresh!.value);
      await sso.gw.services.storage.users.setActive(me.id, false, new Date().toISOString());
      expectRefused(sso.base, await sso.signInWith('test-idp', 'judy'), /deactivated/);
    });

    it('answers 404 for a provider that is not configured', async () => {
      for (const path of ['/api/v1/auth/sso/nope/start', '/api/v1/auth/sso/nope/callback?code=x&state=y']) {
        const response = await sso.get(path);
        expect(response.status).toBe(404);
        expect((await response.json()).errors[0]).toMatchObject({ code: 'not_found', suggestion: expect.stringContaining('/api/v1/auth/sso/providers') });
      }
    });

    it('answers 502 naming the provider when its issuer cannot be reached, and sets no attempt cookie', async () => {
      const response = await sso.get('/api/v1/auth/sso/down/start');
      expect(response.status).toBe(502);
      expect((await response.json()).errors[0]).toMatchObject({ code: 'upstream_error', message: expect.stringContaining('"down"') });
      expect(cookieOf(response, 'tollgate_sso')).toBeUndefined();
    });
  });
}

describe('single sign-on without providers', () => {
  it('lists none', async () => {
    const gw = await startTestGateway();
    try {
      const response = await gw.app.inject({ method: 'GET', url: '/api/v1/auth/sso/providers' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ providers: [] });
    } finally {
      await gw.close();
    }
  });
});
