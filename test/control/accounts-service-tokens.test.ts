import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { bearer, createServiceToken, teamWithRoles } from '../support/accounts-fixtures.js';
import { keyVerifier } from '../../src/http/authenticate.js';
import { verifyKey } from '../../src/keys/verify-key.js';

for (const target of databaseTargets()) {
  describe(`service tokens on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    it('shows a token once, lists it by prefix with its last use, and stores only a hash', async () => {
      const team = await teamWithRoles(gw.app);
      const created = await createServiceToken(gw.app, team.admin, team.accountId, { name: 'deploy bot' });
      expect(created.token).toMatch(/^tgs_[0-9A-Za-z]{16}\.[0-9A-Za-z]{43}$/);
      expect(created).toMatchObject({ id: expect.stringMatching(/^svc_/), name: 'deploy bot', last_used_at: null, is_active: true, created_by: team.admin.userId });
      expect(created.token.startsWith(created.token_prefix as string)).toBe(true);

      const row = await gw.services.storage.serviceTokens.findById(created.id);
      expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(created.token.split('.')[1]);

      expect((await gw.app.inject({ url: '/admin/keys', headers: bearer(created.token) })).statusCode).toBe(200);
      const list = await gw.app.inject({ url: `/api/v1/accounts/${team.accountId}/service-tokens`, headers: team.owner.auth });
      expect(list.statusCode).toBe(200);
      const [listed] = list.json().service_tokens;
      expect(listed).toMatchObject({ id: created.id, token_prefix: created.token_prefix, last_used_at: expect.any(String) });
      expect(listed.token).toBeUndefined();
      expect(list.body).not.toContain(created.token);
    });

    it('refuses a member minting or listing service tokens', async () => {
      const team = await teamWithRoles(gw.app);
      const mint = await gw.app.inject({ method: 'POST', url: `/api/v1/accounts/${team.accountId}/service-tokens`, headers: team.member.auth, payload: { name: 'x' } });
      expect(mint.statusCode).toBe(403);
      expect((await gw.app.inject({ url: `/api/v1/accounts/${team.accountId}/service-tokens`, headers: team.member.auth })).statusCode).toBe(403);
    });

    it('stops a revoked token and an expired token', async () => {
      const team = await teamWithRoles(gw.app);
      const created = await createServiceToken(gw.app, team.owner, team.accountId);
      const revoke = await gw.app.inject({ method: 'DELETE', url: `/api/v1/accounts/${team.accountId}/service-tokens/${created.id}`, headers: team.owner.auth });
      expect(revoke.statusCode).toBe(204);
      const refused = await gw.app.inject({ url: '/admin/keys', headers: bearer(created.token) });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().errors[0].code).toBe('invalid_token');

      const soon = await createServiceToken(gw.app, team.owner, team.accountId, { expires_at: new Date(Date.now() + 60_000).toISOString() });
      expect((await gw.app.inject({ url: '/admin/keys', headers: bearer(soon.token) })).statusCode).toBe(200);
      const check = await gw.services.serviceTokens.check(soon.token, new Date(Date.now() + 61_000));
      expect(check).toEqual({ ok: false, reason: 'expired' });
      const past = await gw.app.inject({ method: 'POST', url: `/api/v1/accounts/${team.accountId}/service-tokens`, headers: team.owner.auth, payload: { name: 'x', expires_at: '2001-01-01T00:00:00Z' } });
      expect(past.statusCode).toBe(422);
    });

    it('refuses a token with one character changed, without telling which part was wrong', async () => {
      const team = await teamWithRoles(gw.app);
      const created = await createServiceToken(gw.app, team.owner, team.accountId);
      const last = created.token.slice(-1);
      const forged = created.token.slice(0, -1) + (last === 'a' ? 'b' : 'a');
      const response = await gw.app.inject({ url: '/admin/keys', headers: bearer(forged) });
      expect(response.statusCode).toBe(401);
      const unknown = await gw.app.inject({ url: '/admin/keys', headers: bearer(`tgs_${'A'.repeat(16)}.${'b'.repeat(43)}`) });
      expect(unknown.json().errors[0]).toEqual(response.json().errors[0]);
    });

    it('never accepts a service token on the data plane, /api/v1/auth/* or the account routes', async () => {
      const team = await teamWithRoles(gw.app);
      const { token } = await createServiceToken(gw.app, team.owner, team.accountId);
      for (const url of ['/api/v1/auth/me', '/api/v1/auth/keys', `/api/v1/accounts/${team.accountId}`, `/api/v1/accounts/${team.accountId}/service-tokens`]) {
        expect((await gw.app.inject({ url, headers: bearer(token) })).statusCode, url).toBe(401);
      }
      expect((await verifyKey(keyVerifier(gw.services), { credential: token, origin: undefined }, new Date())).ok).toBe(false);
      const dataPlane = await gw.app.inject({ method: 'POST', url: '/v1/responses', headers: bearer(token), payload: { model: 'x', input: 'hi' } });
      expect([401, 404]).toContain(dataPlane.statusCode);
    });

    it('audits token creation and revocation, naming the user who did it', async () => {
      const team = await teamWithRoles(gw.app);
      const created = await createServiceToken(gw.app, team.owner, team.accountId);
      await gw.app.inject({ method: 'DELETE', url: `/api/v1/accounts/${team.accountId}/service-tokens/${created.id}`, headers: team.owner.auth });
      const audit = await gw.app.inject({ url: '/admin/audit', headers: { ...team.owner.auth, 'x-account-id': team.accountId } });
      const [revoked, minted] = audit.json().events;
      expect(revoked).toMatchObject({ action: 'service_token.revoked', actor_id: team.owner.userId, target_id: created.id });
      expect(minted).toMatchObject({ action: 'service_token.created', actor_id: team.owner.userId, target_id: created.id });
      expect(audit.body).not.toContain(created.token);
    });
  });
}
