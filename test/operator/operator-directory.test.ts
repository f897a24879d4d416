import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { createTeam, makeOperator } from '../support/accounts-fixtures.js';

for (const target of databaseTargets()) {
  describe(`the operator's directory on ${target.name}`, () => {
    let gw: TestGateway;
    let operator: SignedIn;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
      operator = await signUp(gw.app, { name: 'The Operator' });
      await makeOperator(gw, operator);
    });
    afterAll(() => gw?.close());

    const get = (url: string, user: SignedIn = operator) => gw.app.inject({ url, headers: user.auth });

    it('searches users by email or name, case-insensitively, and pages newest first', async () => {
      const tag = `zq${Date.now().toString(36)}`;
      const made: SignedIn[] = [];
      for (let i = 0; i < 3; i++) made.push(await signUp(gw.app, { email: `${tag}-${i}@example.com` }));
      await signUp(gw.app, { name: `Someone ${tag.toUpperCase()}` });

      const byEmail = await get(`/api/v1/operator/users?q=${tag.toUpperCase()}-&limit=2`);
      expect(byEmail.statusCode).toBe(200);
      const first = byEmail.json();
      expect(first.users.map((u: { email: string }) => u.email)).toEqual([`${tag}-2@example.com`, `${tag}-1@example.com`]);
      expect(first.users[0]).toEqual({ id: made[2]!.userId, email: `${tag}-2@example.com`, name: 'Test User', is_active: true, is_operator: false, created_at: expect.any(String) });
      const second = (await get(`/api/v1/operator/users?q=${tag}-&limit=2&cursor=${first.next_cursor}`)).json();
      expect(second.users.map((u: { email: string }) => u.email)).toEqual([`${tag}-0@example.com`]);
      expect(second.next_cursor).toBeNull();

      expect((await get(`/api/v1/operator/users?q=${tag}`)).json().users).toHaveLength(4);
    });

    it('treats LIKE wildcards in a search as plain characters', async () => {
      expect((await get('/api/v1/operator/users?q=%25')).json().users).toEqual([]);
      expect((await get('/api/v1/operator/users?q=_')).json().users).toEqual([]);
    });

    it('searches accounts by name and shows their member count', async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner, 'Wombat Labs');
      const found = (await get('/api/v1/operator/accounts?q=wombat')).json();
      expect(found.accounts).toEqual([{ id: teamId, name: 'Wombat Labs', kind: 'team', member_count: 1, created_at: expect.any(String), updated_at: expect.any(String), budget: null }]);
      const detail = (await get(`/api/v1/operator/accounts/${teamId}`)).json();
      expect(detail.members).toEqual([{ user_id: owner.userId, email: owner.email, role: 'owner', is_active: true }]);
      const all = (await get('/api/v1/operator/accounts?limit=200')).json();
      expect(all.accounts.length).toBeGreaterThan(3);
    });

    it("shows a user's memberships", async () => {
      const owner = await signUp(gw.app);
      const teamId = await createTeam(gw.app, owner, 'Detail Co');
      const detail = (await get(`/api/v1/operator/users/${owner.userId}`)).json();
      expect(detail.memberships.map((m: { kind: string; role: string }) => [m.kind, m.role])).toEqual([
        ['personal', 'owner'],
        ['team', 'owner'],
      ]);
      expect(detail.memberships[1].account_id).toBe(teamId);
      expect((await get('/api/v1/operator/users/usr_nope')).statusCode).toBe(404);
    });

    it('refuses anyone who is not an operator', async () => {
      const user = await signUp(gw.app);
      const response = await get('/api/v1/operator/users', user);
      expect(response.statusCode).toBe(403);
      expect(response.json().errors[0].code).toBe('forbidden');
      expect((await gw.app.inject({ url: '/api/v1/operator/accounts' })).statusCode).toBe(401);
    });

    it('validates paging parameters', async () => {
      expect((await get('/api/v1/operator/users?limit=0')).statusCode).toBe(422);
      expect((await get('/api/v1/operator/users?limit=201')).statusCode).toBe(422);
      // A cursor we did not make starts from the beginning rather than failing.
      expect((await get('/api/v1/operator/users?cursor=garbage')).statusCode).toBe(200);
    });
  });
}
