// For services that keep their own proxy (SPEC §4): POST /api/v1/keys/verify answers a refused key
// with 200 and `valid: false` (Unkey style) and only lets a service token (its own account's keys)
// or an operator ask; GET /api/v1/forward-auth answers 200 with X-Tollgate-* identity headers, or
// the refusal's status, for nginx auth_request and its cousins. Both hand back the key's metadata
// and apply its allowed_ips: to the `ip` the verifying service reports, or forward-auth's peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

for (const target of databaseTargets()) {
  describe(`key verification for other gateways (${target.name})`, () => {
    let f: GatewayFixture;
    let accountId: string;
    let serviceToken: string;
    beforeAll(async () => {
      f = await startGatewayFixture({ target, keyBody: { scopes: ['positions'], allowed_origins: ['https://app.example.com'] } });
      accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      const created = await f.gw.app.inject({ method: 'POST', url: `/api/v1/accounts/${accountId}/service-tokens`, headers: f.user.auth, payload: { name: 'edge proxy' } });
      expect(created.statusCode).toBe(201);
      serviceToken = created.json().token;
      rememberSecret(serviceToken);
    });
    afterAll(async () => {
      await f?.close();
    });

    const verify = (payload: object, token = serviceToken) => f.gw.app.inject({ method: 'POST', url: '/api/v1/keys/verify', headers: { authorization: `Bearer ${token}` }, payload });

    it('answers a valid key with its identity, scopes, limits and credits', async () => {
      const response = await verify({ key: f.key, scope: 'positions' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, code: 'valid', key_id: f.keyId, account_id: accountId, scopes: ['positions'], expires_at: null, credits: { charged: 0, balance: 0 } });
    });

    it('answers a refused key with 200 and valid: false, and the reason as a code', async () => {
      expect((await verify({ key: 'tg_live_nonsense' })).json()).toMatchObject({ valid: false, code: 'invalid_api_key', key_id: null });
      expect((await verify({ key: f.key, origin: 'https://evil.example' })).json()).toMatchObject({ valid: false, code: 'origin_not_allowed' });
      expect((await verify({ key: f.key, origin: 'https://app.example.com' })).json()).toMatchObject({ valid: true });
      expect((await verify({ key: f.key, scope: 'billing' })).json()).toMatchObject({ valid: false, code: 'forbidden', key_id: f.keyId });
      expect((await verify({ key: f.key, cost: 5 })).json()).toMatchObject({ valid: false, code: 'insufficient_credits' });
    });

    it("charges the cost it is asked to, from the key's account", async () => {
      await f.gw.services.credits.ledger.grant({ accountId, amount: 10, reason: 'test', actorId: null, requestId: null });
      const response = await verify({ key: f.key, cost: 3 });
      expect(response.json()).toMatchObject({ valid: true, credits: { charged: 3, balance: 7 } });
    });

    it("treats another account's key as not valid for a service token", async () => {
      const stranger = await signUp(f.gw.app);
      const theirs = await createKey(f.gw.app, stranger);
      expect((await verify({ key: theirs.key })).json()).toMatchObject({ valid: false, code: 'invalid_api_key', key_id: null, account_id: null });
    });

    it('lets an operator verify any key, and refuses anyone else', async () => {
      const operator = await signUp(f.gw.app);
      await f.gw.services.storage.users.setOperator(operator.userId, true, new Date().toISOString());
      expect((await verify({ key: f.key }, operator.accessToken)).json()).toMatchObject({ valid: true, key_id: f.keyId });
      expect((await verify({ key: f.key }, f.user.accessToken)).statusCode).toBe(403);
      expect((await verify({ key: f.key }, f.key)).statusCode).toBe(403);
      expect((await f.gw.app.inject({ method: 'POST', url: '/api/v1/keys/verify', payload: { key: f.key } })).statusCode).toBe(401);
    });

    describe('GET /api/v1/forward-auth', () => {
      const forward = (headers: Record<string, string>, query = '') => f.gw.app.inject({ url: `/api/v1/forward-auth${query}`, headers });

      it('answers 200 with identity headers for a valid key', async () => {
        const response = await forward({ 'x-api-key': f.key });
        expect(response.statusCode).toBe(200);
        expect(response.headers).toMatchObject({ 'x-tollgate-account-id': accountId, 'x-tollgate-key-id': f.keyId, 'x-tollgate-scopes': 'positions' });
      });

      it('answers 401 for a missing or revoked key, and 403 for a bad origin or a missing scope', async () => {
        expect((await forward({})).statusCode).toBe(401);
        expect((await forward({ authorization: 'Bearer tg_live_x' })).statusCode).toBe(401);
        expect((await forward({ 'x-api-key': f.key, origin: 'https://evil.example' })).statusCode).toBe(403);
        expect((await forward({ 'x-api-key': f.key }, '?scope=admin')).statusCode).toBe(403);
        expect((await forward({ 'x-api-key': f.key, 'x-tollgate-scope': 'positions' })).statusCode).toBe(200);
        const doomed = await createKey(f.gw.app, f.user);
        expect((await forward({ 'x-api-key': doomed.key })).statusCode).toBe(200);
        await f.gw.app.inject({ method: 'DELETE', url: `/api/v1/auth/keys/${doomed.id}`, headers: f.user.auth });
        expect((await forward({ 'x-api-key': doomed.key })).statusCode).toBe(401);
      });

      it("sends the key's metadata as X-Tollgate-Key-Meta-<name> headers, percent-encoding what is not printable ASCII", async () => {
        const tagged = await createKey(f.gw.app, f.user, { metadata: { Plan: 'pro', 'customer-id': 'c_42', note: 'Café 50%' } });
        const response = await forward({ 'x-api-key': tagged.key });
        expect(response.statusCode).toBe(200);
        expect(response.headers).toMatchObject({ 'x-tollgate-key-meta-plan': 'pro', 'x-tollgate-key-meta-customer-id': 'c_42', 'x-tollgate-key-meta-note': 'Caf%C3%A9 50%25' });
        expect(decodeURIComponent(String(response.headers['x-tollgate-key-meta-note']))).toBe('Café 50%');
      });

      it('checks allowed_ips against the connection, ignoring X-Forwarded-For from an untrusted peer', async () => {
        const fenced = await createKey(f.gw.app, f.user, { allowed_ips: ['10.0.0.0/8'] });
        const refused = await forward({ 'x-api-key': fenced.key, 'x-forwarded-for': '10.1.2.3' });
        expect(refused.statusCode).toBe(403);
        expect(refused.json().errors[0]).toMatchObject({ code: 'ip_not_allowed' });
        const local = await createKey(f.gw.app, f.user, { allowed_ips: ['127.0.0.1'] });
        expect((await forward({ 'x-api-key': local.key })).statusCode).toBe(200);
      });
    });

    describe('key settings in POST /api/v1/keys/verify', () => {
      it("hands back the key's metadata (and {} for a key without any)", async () => {
        const tagged = await createKey(f.gw.app, f.user, { metadata: { plan: 'pro', 'customer-id': 'c_42' } });
        expect((await verify({ key: tagged.key })).json()).toMatchObject({ valid: true, key_id: tagged.id, metadata: { plan: 'pro', 'customer-id': 'c_42' } });
        expect((await verify({ key: f.key })).json()).toMatchObject({ valid: true, metadata: {} });
      });

      it('checks allowed_ips against the ip the service reports, and refuses such a key when none is given', async () => {
        const fenced = await createKey(f.gw.app, f.user, { allowed_ips: ['10.0.0.0/8', '2001:db8::/32'] });
        expect((await verify({ key: fenced.key, ip: '10.1.2.3' })).json()).toMatchObject({ valid: true });
        expect((await verify({ key: fenced.key, ip: '2001:db8::7' })).json()).toMatchObject({ valid: true });
        expect((await verify({ key: fenced.key, ip: '::ffff:10.9.9.9' })).json()).toMatchObject({ valid: true });
        expect((await verify({ key: fenced.key, ip: '192.0.2.1' })).json()).toMatchObject({ valid: false, code: 'ip_not_allowed', message: 'This key may not be used from 192.0.2.1.' });
        const unnamed = (await verify({ key: fenced.key })).json();
        expect(unnamed).toMatchObject({ valid: false, code: 'ip_not_allowed' });
        expect(unnamed.message).toContain('"ip"');
        // The caller's own address is not the client's: inject's 127.0.0.1 does not stand in for it.
        const local = await createKey(f.gw.app, f.user, { allowed_ips: ['127.0.0.1'] });
        expect((await verify({ key: local.key })).json()).toMatchObject({ valid: false, code: 'ip_not_allowed' });
        // A key without a list ignores ip.
        expect((await verify({ key: f.key, ip: '192.0.2.1' })).json()).toMatchObject({ valid: true });
      });

      it('refuses an ip that is not an address with a 422 naming it', async () => {
        for (const ip of ['10.0.0.0/8', 'example.com', '']) {
          const response = await verify({ key: f.key, ip });
          expect(response.statusCode, ip).toBe(422);
          expect(response.json().errors[0].field).toBe('ip');
        }
        expect((await verify({ key: f.key, ip: 10 })).json().errors[0].field).toBe('ip');
      });
    });
  });
}
