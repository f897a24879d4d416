// Issue 9 item 26a: an org proxy key minted by a service token (POST /admin/keys with a `tgs_`
// token) has no user behind it, yet it is the account's API key: the self-service reads that take
// an API key (SPEC §3: usage, balance, sessions, automation) answer it like any other key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { bearer, createServiceToken, teamWithRoles } from '../support/accounts-fixtures.js';

for (const target of databaseTargets()) {
  describe(`org keys minted by a service token on the self-service routes (${target.name})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    async function serviceMintedKey(): Promise<{ accountId: string; key: string; keyId: string }> {
      const team = await teamWithRoles(gw.app);
      const { token } = await createServiceToken(gw.app, team.owner, team.accountId);
      const minted = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: bearer(token), payload: { name: 'ci-minted' } });
      expect(minted.statusCode).toBe(201);
      rememberSecret(minted.json().secret);
      return { accountId: team.accountId, key: minted.json().secret, keyId: minted.json().key.id };
    }

    it('reads usage, balance, sessions and automation settings with an org key a service token minted', async () => {
      const { accountId, key } = await serviceMintedKey();
      const seen: Record<string, number> = {};
      for (const url of ['/api/v1/usage', `/api/v1/accounts/${accountId}/balance`, '/api/v1/sessions', '/api/v1/automation/settings']) {
        seen[url] = (await gw.app.inject({ url, headers: bearer(key) })).statusCode;
      }
      expect(seen).toEqual({ '/api/v1/usage': 200, [`/api/v1/accounts/${accountId}/balance`]: 200, '/api/v1/sessions': 200, '/api/v1/automation/settings': 200 });
    });

    it("shows such a key the server's default automation settings, which it cannot change (no user owns them)", async () => {
      const { key } = await serviceMintedKey();
      const settings = await gw.app.inject({ url: '/api/v1/automation/settings', headers: bearer(key) });
      expect(settings.json()).toMatchObject({ is_enabled: true, session_duration: 3600, user_id: null });
      const put = await gw.app.inject({ method: 'PUT', url: '/api/v1/automation/settings', headers: bearer(key), payload: { is_enabled: false } });
      expect(put.statusCode).toBe(403);
      expect(put.json().errors[0].code).toBe('forbidden');
    });

    it('still refuses such a key once revoked, and on another account', async () => {
      const { accountId, key, keyId } = await serviceMintedKey();
      const other = await serviceMintedKey();
      expect((await gw.app.inject({ url: `/api/v1/accounts/${other.accountId}/balance`, headers: bearer(key) })).statusCode).toBe(404);
      const row = await gw.services.storage.apiKeys.findById(keyId);
      await gw.services.storage.apiKeys.revoke(row!.id, new Date().toISOString(), new Date().toISOString());
      // As every revocation path does: self-service routes check keys through the key cache too.
      gw.services.keyEvents.changed(row!.id);
      expect((await gw.app.inject({ url: `/api/v1/accounts/${accountId}/balance`, headers: bearer(key) })).statusCode).toBe(401);
    });
  });
}
