// Issue 9 item 9: a member's admin-plane power ends with their standing in the account. Removing a
// member, demoting them to `member`, or their leaving revokes the service tokens they minted for
// that account, in the same transaction as the membership change, with one audit event per token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { revokeOrphanedServiceTokens } from '../../src/storage/migrations/005-invitations.js';
import { signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { bearer, createServiceToken, makeOperator, teamWithRoles } from '../support/accounts-fixtures.js';

for (const target of databaseTargets()) {
  describe(`service tokens of a member whose standing ends (${target.name})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    const adminCall = (token: string) => gw.app.inject({ url: '/admin/keys', headers: bearer(token) });
    const members = (accountId: string) => `/api/v1/accounts/${accountId}/members`;

    it("stops a removed admin's service token (401 on /admin) and audits its revocation", async () => {
      const team = await teamWithRoles(gw.app);
      const theirs = await createServiceToken(gw.app, team.admin, team.accountId);
      const owners = await createServiceToken(gw.app, team.owner, team.accountId);
      expect((await adminCall(theirs.token)).statusCode).toBe(200);

      const removed = await gw.app.inject({ method: 'DELETE', url: `${members(team.accountId)}/${team.admin.userId}`, headers: team.owner.auth });
      expect(removed.statusCode).toBe(204);
      const refused = await adminCall(theirs.token);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().errors[0].code).toBe('invalid_token');
      // Someone else's token is untouched.
      expect((await adminCall(owners.token)).statusCode).toBe(200);

      const listed = await gw.app.inject({ url: `/api/v1/accounts/${team.accountId}/service-tokens`, headers: team.owner.auth });
      const states = Object.fromEntries(listed.json().service_tokens.map((t: { id: string; is_active: boolean }) => [t.id, t.is_active]));
      expect(states).toEqual({ [theirs.id]: false, [owners.id]: true });

      const audit = await gw.app.inject({ url: '/admin/audit', headers: { ...team.owner.auth, 'x-account-id': team.accountId } });
      const revoked = audit.json().events.filter((e: { action: string }) => e.action === 'service_token.revoked');
      expect(revoked).toEqual([expect.objectContaining({ actor_id: team.owner.userId, target_id: theirs.id, data: { reason: 'member.removed', created_by: team.admin.userId } })]);
    });

    it('stops the service tokens of an admin demoted to member, but not of an owner demoted to admin', async () => {
      const team = await teamWithRoles(gw.app);
      const admins = await createServiceToken(gw.app, team.admin, team.accountId);
      await gw.app.inject({ method: 'PATCH', url: `${members(team.accountId)}/${team.admin.userId}`, headers: team.owner.auth, payload: { role: 'member' } });
      expect((await adminCall(admins.token)).statusCode).toBe(401);

      // A second owner steps down to admin: still allowed to mint tokens, so theirs keep working.
      await gw.app.inject({ method: 'PATCH', url: `${members(team.accountId)}/${team.member.userId}`, headers: team.owner.auth, payload: { role: 'owner' } });
      const secondOwners = await createServiceToken(gw.app, team.member, team.accountId);
      const stepDown = await gw.app.inject({ method: 'PATCH', url: `${members(team.accountId)}/${team.member.userId}`, headers: team.member.auth, payload: { role: 'admin' } });
      expect(stepDown.statusCode).toBe(200);
      expect((await adminCall(secondOwners.token)).statusCode).toBe(200);
    });

    it('stops the service tokens of an admin who leaves on their own', async () => {
      const team = await teamWithRoles(gw.app);
      const theirs = await createServiceToken(gw.app, team.admin, team.accountId);
      const left = await gw.app.inject({ method: 'DELETE', url: `${members(team.accountId)}/${team.admin.userId}`, headers: team.admin.auth });
      expect(left.statusCode).toBe(204);
      expect((await adminCall(theirs.token)).statusCode).toBe(401);
      const row = await gw.services.storage.serviceTokens.findById(theirs.id);
      expect(row?.revokedAt).not.toBeNull();
    });

    it('revokes, once at migration, the tokens of members who lost their standing before this rule existed', async () => {
      const team = await teamWithRoles(gw.app);
      const stale = await createServiceToken(gw.app, team.admin, team.accountId);
      const owners = await createServiceToken(gw.app, team.owner, team.accountId);
      const operator = await signUp(gw.app);
      await makeOperator(gw, operator);
      const operators = await createServiceToken(gw.app, operator, team.accountId);
      // As an older Tollgate left it: the membership gone, the token still live.
      await gw.services.storage.memberships.remove(team.accountId, team.admin.userId);
      expect((await adminCall(stale.token)).statusCode).toBe(200);
      await revokeOrphanedServiceTokens(gw.services.storage.db, new Date().toISOString());
      expect((await adminCall(stale.token)).statusCode).toBe(401);
      expect((await adminCall(owners.token)).statusCode).toBe(200);
      expect((await adminCall(operators.token)).statusCode).toBe(200);
    });

    it('keeps the membership and the token together when the change is refused', async () => {
      const team = await teamWithRoles(gw.app);
      const owners = await createServiceToken(gw.app, team.owner, team.accountId);
      // The last owner cannot leave: nothing changes, the token still works.
      const refused = await gw.app.inject({ method: 'DELETE', url: `${members(team.accountId)}/${team.owner.userId}`, headers: team.owner.auth });
      expect(refused.statusCode).toBe(409);
      expect((await adminCall(owners.token)).statusCode).toBe(200);
    });
  });
}
