import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { bearer, createServiceToken, createTeam, teamWithRoles } from '../support/accounts-fixtures.js';
import { keyVerifier } from '../../src/http/authenticate.js';
import { verifyKey } from '../../src/keys/verify-key.js';

for (const target of databaseTargets()) {
  describe(`the admin plane's org keys on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    async function mint(headers: Record<string, string>, payload: object = { name: 'seed' }) {
      const response = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers, payload });
      if (response.statusCode === 201) rememberSecret(response.json().secret);
      return response;
    }

    it('runs the seed flow: mint with a service token, use, list without secrets, revoke, refused', async () => {
      const team = await teamWithRoles(gw.app);
      const { token } = await createServiceToken(gw.app, team.owner, team.accountId);

      const created = await mint(bearer(token), { name: 'seed-key' });
      expect(created.statusCode).toBe(201);
      const body = created.json();
      expect(body).toEqual({
        key: { id: expect.stringMatching(/^key_/), name: 'seed-key', prefix: expect.stringMatching(/^tg_live_[0-9A-Za-z]{8}$/), enabled: true, created_at: expect.any(String), allowed_ips: [], metadata: {}, budget: null },
        secret: expect.stringMatching(/^tg_live_[0-9A-Za-z]{46}$/),
      });
      expect(body.secret.startsWith(body.key.prefix)).toBe(true);

      // The secret is a working data-plane key of the team account.
      const check = await verifyKey(keyVerifier(gw.services), { credential: body.secret, origin: undefined }, new Date());
      expect(check).toMatchObject({ ok: true, key: { id: body.key.id, accountId: team.accountId, kind: 'org', createdBy: null } });
      // An org key has no creator to recover it for: no recovery ciphertext is kept.
      expect((await gw.services.storage.apiKeys.findById(body.key.id))?.encryptedKey).toBeNull();
      await gw.services.storage.apiKeys.touchLastUsed(new Map([[body.key.id, new Date().toISOString()]]));

      const listed = await gw.app.inject({ url: '/admin/keys', headers: bearer(token) });
      expect(listed.statusCode).toBe(200);
      expect(listed.json()).toEqual({
        keys: [{ id: body.key.id, name: 'seed-key', prefix: body.key.prefix, enabled: true, created_at: body.key.created_at, last_used_at: expect.any(String), revoked_at: null, allowed_ips: [], metadata: {}, budget: null }],
        next_cursor: null,
      });
      expect(listed.body).not.toContain(body.secret);

      const revoked = await gw.app.inject({ method: 'DELETE', url: `/admin/keys/${body.key.id}`, headers: bearer(token) });
      expect(revoked.statusCode).toBe(204);
      expect(await verifyKey(keyVerifier(gw.services), { credential: body.secret, origin: undefined }, new Date())).toMatchObject({ ok: false, reason: 'revoked' });
      const after = (await gw.app.inject({ url: '/admin/keys', headers: bearer(token) })).json().keys[0];
      expect(after).toMatchObject({ enabled: false, revoked_at: expect.any(String) });
    });

    it('announces a revoke on the key events so caches drop the key', async () => {
      const team = await teamWithRoles(gw.app);
      const headers = { ...team.owner.auth, 'x-account-id': team.accountId };
      const id = (await mint(headers)).json().key.id;
      const seen: string[] = [];
      const stop = gw.services.keyEvents.onChanged((keyId) => seen.push(keyId));
      await gw.app.inject({ method: 'DELETE', url: `/admin/keys/${id}`, headers });
      stop();
      expect(seen).toContain(id);
    });

    it('records who minted each key: the user, or the service token in the audit trail', async () => {
      const team = await teamWithRoles(gw.app);
      const svc = await createServiceToken(gw.app, team.owner, team.accountId);
      const byUser = (await mint({ ...team.member.auth, 'x-account-id': team.accountId }, { name: 'by user' })).json();
      const byToken = (await mint(bearer(svc.token), { name: 'by token' })).json();
      expect((await gw.services.storage.apiKeys.findById(byUser.key.id))?.createdBy).toBe(team.member.userId);
      expect((await gw.services.storage.apiKeys.findById(byToken.key.id))?.createdBy).toBeNull();
      const events = (await gw.app.inject({ url: '/admin/audit?limit=2', headers: bearer(svc.token) })).json().events;
      expect(events).toEqual([
        expect.objectContaining({ action: 'org_key.created', actor_type: 'service_token', actor_id: svc.id, target_id: byToken.key.id }),
        expect.objectContaining({ action: 'org_key.created', actor_type: 'user', actor_id: team.member.userId, target_id: byUser.key.id }),
      ]);
    });

    it('acts on the personal account when a user sends no X-Account-Id', async () => {
      const user = await signUp(gw.app);
      const created = (await mint(user.auth)).json();
      const personal = await gw.services.storage.accounts.findPersonal(user.userId);
      expect((await gw.services.storage.apiKeys.findById(created.key.id))?.accountId).toBe(personal?.id);
    });

    it("answers 404 for another account's key and for an account the caller is not in", async () => {
      const team = await teamWithRoles(gw.app);
      const other = await teamWithRoles(gw.app);
      const otherKey = (await mint({ ...other.owner.auth, 'x-account-id': other.accountId })).json().key.id;
      const deleteOther = await gw.app.inject({ method: 'DELETE', url: `/admin/keys/${otherKey}`, headers: { ...team.owner.auth, 'x-account-id': team.accountId } });
      expect(deleteOther.statusCode).toBe(404);
      expect((await gw.app.inject({ url: '/admin/keys', headers: { ...team.owner.auth, 'x-account-id': other.accountId } })).statusCode).toBe(404);
      expect((await gw.app.inject({ url: '/admin/keys', headers: { ...team.owner.auth, 'x-account-id': 'not-an-id' } })).statusCode).toBe(404);
      const { token } = await createServiceToken(gw.app, team.owner, team.accountId);
      expect((await gw.app.inject({ url: '/admin/keys', headers: { ...bearer(token), 'x-account-id': other.accountId } })).statusCode).toBe(404);
      // A personal key of a member is not an org key either.
      const personalKey = await createKey(gw.app, team.owner);
      expect((await gw.app.inject({ method: 'DELETE', url: `/admin/keys/${personalKey.id}`, headers: team.owner.auth })).statusCode).toBe(404);
      expect((await verifyKey(keyVerifier(gw.services), { credential: personalKey.key, origin: undefined }, new Date())).ok).toBe(true);
    });

    it('refuses API keys on the admin plane', async () => {
      const user = await signUp(gw.app);
      const { key } = await createKey(gw.app, user);
      const response = await gw.app.inject({ url: '/admin/keys', headers: bearer(key) });
      expect(response.statusCode).toBe(403);
      expect((await gw.app.inject({ url: '/admin/keys', headers: { 'x-api-key': key } })).statusCode).toBe(403);
    });

    it('validates the request: a name is required, expiry must be ahead, origins must be origins', async () => {
      const user = await signUp(gw.app);
      for (const [payload, field] of [
        [{}, 'name'],
        [{ name: '' }, 'name'],
        [{ name: 'x', expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
        [{ name: 'x', allowed_origins: ['https://example.com/path'] }, 'allowed_origins.0'],
      ] as const) {
        const response = await mint(user.auth, payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(422);
        expect(response.json().errors[0].field).toBe(field);
      }
    });
  });

  describe(`admin roles and the audit trail on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target, env: { TOLLGATE_ADMIN_ALLOWED_ROLES: 'admin' } });
    });
    afterAll(() => gw?.close());

    it('follows TOLLGATE_ADMIN_ALLOWED_ROLES, always allowing the owner', async () => {
      const team = await teamWithRoles(gw.app);
      const url = '/admin/keys';
      const as = (user: { auth: Record<string, string> }) => gw.app.inject({ url, headers: { ...user.auth, 'x-account-id': team.accountId } });
      expect((await as(team.owner)).statusCode).toBe(200);
      expect((await as(team.admin)).statusCode).toBe(200);
      const member = await as(team.member);
      expect(member.statusCode).toBe(403);
      expect(member.json().errors[0].code).toBe('forbidden');
    });

    it('pages the audit trail newest first with a cursor', async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner);
      const headers = { ...owner.auth, 'x-account-id': teamId };
      for (let i = 0; i < 5; i++) {
        const r = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers, payload: { name: `k${i}` } });
        rememberSecret(r.json().secret);
      }
      const first = (await gw.app.inject({ url: '/admin/audit?limit=4', headers })).json();
      expect(first.events.map((e: { data: { name?: string } }) => e.data?.name)).toEqual(['k4', 'k3', 'k2', 'k1']);
      expect(first.next_cursor).toEqual(expect.any(String));
      const second = (await gw.app.inject({ url: `/admin/audit?limit=4&before=${first.next_cursor}`, headers })).json();
      expect(second.events.map((e: { action: string }) => e.action)).toEqual(['org_key.created', 'account.created']);
      expect(second.next_cursor).toBeNull();
      expect((await gw.app.inject({ url: '/admin/audit?limit=0', headers })).statusCode).toBe(422);
      expect((await gw.app.inject({ url: '/admin/audit?limit=201', headers })).statusCode).toBe(422);
    });

    it("does not let anyone read another account's audit trail", async () => {
      const team = await teamWithRoles(gw.app);
      const other = await signUp(gw.app);
      const otherTeam = await createTeam(gw.app, other);
      const response = await gw.app.inject({ url: '/admin/audit', headers: { ...team.owner.auth, 'x-account-id': otherTeam } });
      expect(response.statusCode).toBe(404);
      const { token } = await createServiceToken(gw.app, team.owner, team.accountId);
      expect((await gw.app.inject({ url: '/admin/audit', headers: { ...bearer(token), 'x-account-id': otherTeam } })).statusCode).toBe(404);
      const own = (await gw.app.inject({ url: '/admin/audit', headers: bearer(token) })).json();
      expect(own.events.every((e: { id: string }) => typeof e.id === 'string')).toBe(true);
      expect(JSON.stringify(own)).not.toContain(otherTeam);
    });
  });
}
