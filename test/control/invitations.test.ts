// Issue 9 item 10 (SPEC §4 "Accounts, members"): adding a member is an invitation the invitee
// accepts. The answer is the same whether or not the email is registered, nobody becomes a member
// without accepting, invitations are single use and expire after 7 days, and every step is audited.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { createTeam, teamWithRoles } from '../support/accounts-fixtures.js';

const DAY_MS = 86_400_000;

for (const target of databaseTargets()) {
  describe(`invitations to team accounts (${target.name})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());
    afterEach(() => {
      vi.useRealTimers();
      vi.restoreAllMocks();
    });

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) =>
      gw.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    const invite = (by: SignedIn, accountId: string, email: string, role?: string) =>
      call('POST', `/api/v1/accounts/${accountId}/members`, by.auth, { email, ...(role ? { role } : {}) });
    const signIn = async (user: SignedIn) => {
      const login = await call('POST', '/api/v1/auth/login', {}, { email: user.email, password: user.password });
      rememberSecret(login.json().access_token, login.json().refresh_token);
      return { authorization: `Bearer ${login.json().access_token}` };
    };
    const memberIds = async (by: SignedIn, accountId: string) =>
      (await call('GET', `/api/v1/accounts/${accountId}/members`, by.auth)).json().members.map((m: { user_id: string }) => m.user_id);

    it('answers a registered and an unregistered email alike (202, same shape), without looking the email up', async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner);
      const known = await signUp(gw.app);
      const lookups = vi.spyOn(gw.services.storage.users, 'findByEmail');
      const a = await invite(owner, teamId, known.email, 'admin');
      const b = await invite(owner, teamId, 'Nobody-Registered@Example.com', 'admin');
      expect(lookups).not.toHaveBeenCalled();
      expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
      expect(Object.keys(a.json()).sort()).toEqual(['email', 'expires_at', 'invitation_id', 'role']);
      expect(Object.keys(b.json()).sort()).toEqual(Object.keys(a.json()).sort());
      expect(a.json()).toMatchObject({ invitation_id: expect.stringMatching(/^inv_[0-9A-Za-z]{16}$/), email: known.email, role: 'admin' });
      expect(b.json()).toMatchObject({ email: 'nobody-registered@example.com', role: 'admin' });
      const ttl = Date.parse(a.json().expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(7 * DAY_MS - 60_000);
      expect(ttl).toBeLessThanOrEqual(7 * DAY_MS);
      // Invited is not a member.
      expect(await memberIds(owner, teamId)).toEqual([owner.userId]);
    });

    it("lists the caller's pending invitations by email, case-insensitively, and makes them a member on accept", async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner, 'Acme');
      const invitee = await signUp(gw.app);
      const sent = await invite(owner, teamId, invitee.email.toUpperCase(), 'admin');
      const mine = await call('GET', '/api/v1/invitations', invitee.auth);
      expect(mine.statusCode).toBe(200);
      expect(mine.json().invitations).toEqual([
        { id: sent.json().invitation_id, account_id: teamId, account_name: 'Acme', email: invitee.email, role: 'admin', created_at: expect.any(String), expires_at: sent.json().expires_at },
      ]);
      const accepted = await call('POST', `/api/v1/invitations/${sent.json().invitation_id}/accept`, invitee.auth);
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json()).toMatchObject({ id: teamId, name: 'Acme', kind: 'team', role: 'admin' });
      expect(await memberIds(owner, teamId)).toEqual([owner.userId, invitee.userId]);
      // Single use.
      expect((await call('POST', `/api/v1/invitations/${sent.json().invitation_id}/accept`, invitee.auth)).statusCode).toBe(409);
      expect((await call('GET', '/api/v1/invitations', invitee.auth)).json().invitations).toEqual([]);
    });

    it('lets one of two simultaneous answers through (accept twice, or accept and decline at once)', async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner);
      const invitee = await signUp(gw.app);
      const id = (await invite(owner, teamId, invitee.email)).json().invitation_id;
      const answers = await Promise.all([
        call('POST', `/api/v1/invitations/${id}/accept`, invitee.auth),
        call('POST', `/api/v1/invitations/${id}/accept`, invitee.auth),
        call('POST', `/api/v1/invitations/${id}/decline`, invitee.auth),
      ]);
      expect(answers.filter((a) => a.statusCode < 300)).toHaveLength(1);
      expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(2);
      const joined = answers[0]!.statusCode === 200 || answers[1]!.statusCode === 200;
      expect(await memberIds(owner, teamId)).toEqual(joined ? [owner.userId, invitee.userId] : [owner.userId]);
    });

    it("answers 404 to anyone accepting or declining an invitation for another email", async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner);
      const invitee = await signUp(gw.app);
      const intruder = await signUp(gw.app);
      const id = (await invite(owner, teamId, invitee.email)).json().invitation_id;
      expect((await call('POST', `/api/v1/invitations/${id}/accept`, intruder.auth)).statusCode).toBe(404);
      expect((await call('POST', `/api/v1/invitations/${id}/decline`, intruder.auth)).statusCode).toBe(404);
      expect((await call('POST', `/api/v1/invitations/${id}/accept`, owner.auth)).statusCode).toBe(404);
      expect((await call('GET', '/api/v1/invitations', intruder.auth)).json().invitations).toEqual([]);
      expect(await memberIds(owner, teamId)).toEqual([owner.userId]);
    });

    it('lets an invitee decline, after which the invitation cannot be accepted', async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner);
      const invitee = await signUp(gw.app);
      const id = (await invite(owner, teamId, invitee.email)).json().invitation_id;
      expect((await call('POST', `/api/v1/invitations/${id}/decline`, invitee.auth)).statusCode).toBe(204);
      expect((await call('POST', `/api/v1/invitations/${id}/accept`, invitee.auth)).statusCode).toBe(409);
      expect(await memberIds(owner, teamId)).toEqual([owner.userId]);
    });

    it('lets someone who registers after being invited accept', async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner);
      const email = `later-${Date.now()}@example.com`;
      const id = (await invite(owner, teamId, email, 'member')).json().invitation_id;
      const newcomer = await signUp(gw.app, { email });
      expect((await call('POST', `/api/v1/invitations/${id}/accept`, newcomer.auth)).statusCode).toBe(200);
      expect(await memberIds(owner, teamId)).toEqual([owner.userId, newcomer.userId]);
    });

    it('keeps the role rules: admins invite at most admin, members invite no one; an existing member is 409', async () => {
      const team = await teamWithRoles(gw.app);
      const email = `role-${Date.now()}@example.com`;
      expect((await invite(team.admin, team.accountId, email, 'owner')).statusCode).toBe(403);
      expect((await invite(team.admin, team.accountId, email, 'admin')).statusCode).toBe(202);
      expect((await invite(team.member, team.accountId, `m-${email}`, 'member')).statusCode).toBe(403);
      expect((await invite(team.owner, team.accountId, `o-${email}`, 'owner')).statusCode).toBe(202);
      const existing = await invite(team.owner, team.accountId, team.member.email.toUpperCase(), 'member');
      expect(existing.statusCode).toBe(409);
      expect((await invite(team.owner, team.accountId, email, 'member')).statusCode).toBe(409); // already invited
      const personal = (await call('GET', '/api/v1/accounts', team.owner.auth)).json().accounts[0].id;
      expect((await invite(team.owner, personal, email)).statusCode).toBe(409);
    });

    it('lets owners and admins list and withdraw invitations; a withdrawn one cannot be accepted', async () => {
      const team = await teamWithRoles(gw.app);
      const invitee = await signUp(gw.app);
      const id = (await invite(team.owner, team.accountId, invitee.email, 'member')).json().invitation_id;
      const url = `/api/v1/accounts/${team.accountId}/invitations`;
      expect((await call('GET', url, team.member.auth)).statusCode).toBe(403);
      const listed = await call('GET', url, team.admin.auth);
      expect(listed.json().invitations).toEqual([expect.objectContaining({ id, email: invitee.email, role: 'member', invited_by: team.owner.userId })]);
      expect((await call('DELETE', `${url}/${id}`, team.member.auth)).statusCode).toBe(403);
      expect((await call('DELETE', `${url}/${id}`, team.admin.auth)).statusCode).toBe(204);
      expect((await call('DELETE', `${url}/${id}`, team.admin.auth)).statusCode).toBe(404);
      expect((await call('GET', url, team.owner.auth)).json().invitations).toEqual([]);
      expect((await call('POST', `/api/v1/invitations/${id}/accept`, invitee.auth)).statusCode).toBe(409);
      const stranger = await signUp(gw.app);
      expect((await call('GET', url, stranger.auth)).statusCode).toBe(404);
    });

    it('expires an invitation after 7 days', async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner);
      const invitee = await signUp(gw.app);
      const id = (await invite(owner, teamId, invitee.email)).json().invitation_id;
      expect((await call('GET', '/api/v1/invitations', invitee.auth)).json().invitations).toHaveLength(1);
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 7 * DAY_MS + 1000 });
      // Access tokens last 15 minutes: sign in again a week later.
      const [later, ownerLater] = [await signIn(invitee), await signIn(owner)];
      expect((await call('GET', '/api/v1/invitations', later)).json().invitations).toEqual([]);
      expect((await call('POST', `/api/v1/invitations/${id}/accept`, later)).statusCode).toBe(409);
      expect((await call('GET', `/api/v1/accounts/${teamId}/invitations`, ownerLater)).json().invitations).toEqual([]);
      expect(await memberIds({ ...owner, auth: ownerLater }, teamId)).toEqual([owner.userId]);
      // Once expired, the same email may be invited again.
      expect((await invite({ ...owner, auth: ownerLater }, teamId, invitee.email)).statusCode).toBe(202);
    });

    it('audits invite, accept, decline and withdraw', async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner);
      const [a, b] = [await signUp(gw.app), await signUp(gw.app)];
      const first = (await invite(owner, teamId, a.email)).json().invitation_id;
      const second = (await invite(owner, teamId, b.email)).json().invitation_id;
      await call('POST', `/api/v1/invitations/${first}/accept`, a.auth);
      await call('POST', `/api/v1/invitations/${second}/decline`, b.auth);
      const third = (await invite(owner, teamId, 'c@example.com')).json().invitation_id;
      await call('DELETE', `/api/v1/accounts/${teamId}/invitations/${third}`, owner.auth);
      const audit = await gw.app.inject({ url: '/admin/audit', headers: { ...owner.auth, 'x-account-id': teamId } });
      const events = audit.json().events.map((e: { action: string; actor_id: string; target_id: string }) => [e.action, e.actor_id, e.target_id]);
      expect(events.slice(0, 7)).toEqual([
        ['invitation.withdrawn', owner.userId, third],
        ['invitation.created', owner.userId, third],
        ['invitation.declined', b.userId, second],
        ['member.added', a.userId, a.userId],
        ['invitation.accepted', a.userId, first],
        ['invitation.created', owner.userId, second],
        ['invitation.created', owner.userId, first],
      ]);
    });
  });
}
