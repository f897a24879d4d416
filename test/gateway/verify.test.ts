// For services that keep their own proxy (SPEC §4): POST /api/v1/keys/verify answers a refused key
// with 200 and `valid: false` (Unkey style) and only lets a service token (its own account's keys)
// or an operator ask; GET /api/v1/forward-auth answers 200 with X-Tollgate-* identity headers, or
// the refusal's status, for nginx auth_request and its cousins.
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
    });
  });
}
