// Setting and reading budgets (SPEC §8): on personal keys and org keys (create and patch bodies,
// `budget: null` clears), on accounts (PUT …/budget by owners and admins, and by operators); every
// read of a key or account shows `budget` (null when none); bodies are strict (422 naming the field);
// members get 403 and another account 404, as elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { bearer, createServiceToken, makeOperator, teamWithRoles, type Team } from '../support/accounts-fixtures.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

const NOW = new Date('2026-01-31T18:00:00.000Z');
const monthly = { limit: 500, period: 'month', time_zone: 'UTC', spent: 0, remaining: 500, resets_at: '2026-02-01T00:00:00.000Z' };

for (const target of databaseTargets()) {
  describe(`budgets on keys and accounts (${target.name})`, () => {
    let gw: TestGateway;
    let user: SignedIn;
    let team: Team;
    beforeAll(async () => {
      gw = await startTestGateway({ target, clock: () => NOW });
      user = await signUp(gw.app);
      team = await teamWithRoles(gw.app);
    });
    afterAll(() => gw?.close());

    const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, headers: Record<string, string>, payload?: unknown) =>
      gw.app.inject({ method, url, headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}) });

    it('shows a personal key budget on create, get, list and patch; null clears it', async () => {
      const created = await createKey(gw.app, user, { budget: { limit: 500, period: 'month' } });
      expect(created.budget).toEqual(monthly);
      expect((await send('GET', `/api/v1/auth/keys/${created.id}`, user.auth)).json().budget).toEqual(monthly);
      const plain = await createKey(gw.app, user);
      expect(plain.budget).toBeNull();
      const listed = (await send('GET', '/api/v1/auth/keys', user.auth)).json() as Array<{ id: string; budget: unknown }>;
      expect(listed.find((k) => k.id === created.id)?.budget).toEqual(monthly);
      expect(listed.find((k) => k.id === plain.id)?.budget).toBeNull();

      const week = await send('PATCH', `/api/v1/auth/keys/${plain.id}`, user.auth, { budget: { limit: 7, period: 'week', time_zone: 'Europe/Berlin' } });
      // Saturday 2026-01-31 19:00 in Berlin: the ISO week resets on Monday 2026-02-02 00:00 CET.
      expect(week.json().budget).toEqual({ limit: 7, period: 'week', time_zone: 'Europe/Berlin', spent: 0, remaining: 7, resets_at: '2026-02-01T23:00:00.000Z' });
      const renamed = await send('PATCH', `/api/v1/auth/keys/${plain.id}`, user.auth, { name: 'renamed' });
      expect(renamed.json().budget).toMatchObject({ limit: 7 });
      const cleared = await send('PATCH', `/api/v1/auth/keys/${plain.id}`, user.auth, { budget: null });
      expect(cleared.json().budget).toBeNull();
      expect((await send('GET', `/api/v1/auth/keys/${plain.id}`, user.auth)).json().budget).toBeNull();
    });

    it("carries a key's budget to the key that rotates it, with the successor's spending starting at 0", async () => {
      const old = await createKey(gw.app, user, { budget: { limit: 500, period: 'month' } });
      const rotated = await send('POST', `/api/v1/auth/keys/${old.id}/rotate`, user.auth, {});
      expect(rotated.statusCode).toBe(201);
      rememberSecret(rotated.json().key);
      expect(rotated.json().budget).toEqual(monthly);
    });

    it('refuses malformed budgets with 422 naming the field', async () => {
      const bad: Array<[unknown, string]> = [
        [{ limit: 0, period: 'day' }, 'budget.limit'],
        [{ limit: 1.5, period: 'day' }, 'budget.limit'],
        [{ limit: '10', period: 'day' }, 'budget.limit'],
        [{ limit: 10, period: 'year' }, 'budget.period'],
        [{ limit: 10 }, 'budget.period'],
        [{ limit: 10, period: 'day', time_zone: 'Mars/Olympus' }, 'budget.time_zone'],
        [{ limit: 10, period: 'day', time_zone: 5 }, 'budget.time_zone'],
        [{ limit: 10, period: 'day', extra: true }, 'budget.extra'],
        ['10/day', 'budget'],
      ];
      for (const [budget, field] of bad) {
        const response = await send('POST', '/api/v1/auth/keys', user.auth, { name: 'x', budget });
        expect(response.statusCode, JSON.stringify(budget)).toBe(422);
        expect(response.json().errors.map((e: { field: string }) => e.field), JSON.stringify(budget)).toContain(field);
      }
      const account = await send('PUT', `/api/v1/accounts/${team.accountId}/budget`, team.owner.auth, { limit: -1, period: 'day' });
      expect(account.statusCode).toBe(422);
      expect((await send('PUT', `/api/v1/accounts/${team.accountId}/budget`, team.owner.auth, { limit: 5, period: 'day', time_zone: 'Nowhere' })).statusCode).toBe(422);
    });

    it("sets an account's budget as owner or admin, shows it on every account read, clears it with null; members 403, others 404", async () => {
      const url = `/api/v1/accounts/${team.accountId}/budget`;
      const put = await send('PUT', url, team.admin.auth, { limit: 500, period: 'month' });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toEqual({ account_id: team.accountId, budget: monthly });
      expect((await send('GET', url, team.member.auth)).json().budget).toEqual(monthly);
      expect((await send('GET', `/api/v1/accounts/${team.accountId}`, team.member.auth)).json().budget).toEqual(monthly);
      const list = (await send('GET', '/api/v1/accounts', team.member.auth)).json().accounts as Array<{ id: string; budget: unknown }>;
      expect(list.find((a) => a.id === team.accountId)?.budget).toEqual(monthly);
      expect(list.find((a) => a.id !== team.accountId)?.budget).toBeNull();

      expect((await send('PUT', url, team.member.auth, null)).statusCode).toBe(403);
      expect((await send('PUT', url, user.auth, { limit: 1, period: 'day' })).statusCode).toBe(404);
      expect((await send('GET', url, user.auth)).statusCode).toBe(404);

      const cleared = await send('PUT', url, team.owner.auth, null);
      expect(cleared.statusCode).toBe(200);
      expect(cleared.json()).toEqual({ account_id: team.accountId, budget: null });
      expect((await send('GET', `/api/v1/accounts/${team.accountId}`, team.owner.auth)).json().budget).toBeNull();
    });

    it("lets an operator set any account's budget, and shows it in the operator's directory", async () => {
      const operator = await signUp(gw.app);
      await makeOperator(gw, operator);
      const url = `/api/v1/operator/accounts/${team.accountId}/budget`;
      expect((await send('PUT', url, team.owner.auth, { limit: 9, period: 'total' })).statusCode).toBe(403);
      const put = await send('PUT', url, operator.auth, { limit: 9, period: 'total' });
      expect(put.json()).toEqual({ account_id: team.accountId, budget: { limit: 9, period: 'total', time_zone: 'UTC', spent: 0, remaining: 9, resets_at: null } });
      expect((await send('GET', `/api/v1/operator/accounts/${team.accountId}`, operator.auth)).json().budget).toMatchObject({ limit: 9, period: 'total' });
      expect((await send('PUT', '/api/v1/operator/accounts/acc_doesnotexist/budget', operator.auth, null)).statusCode).toBe(404);
      expect((await send('PUT', url, operator.auth, null)).json().budget).toBeNull();
    });

    it('sets org key budgets on /admin/keys create and patch (owners and admins), shows them on create and list', async () => {
      const { token } = await createServiceToken(gw.app, team.owner, team.accountId);
      const minted = await send('POST', '/admin/keys', bearer(token), { name: 'capped', budget: { limit: 500, period: 'month' } });
      expect(minted.statusCode).toBe(201);
      rememberSecret(minted.json().secret);
      const id = minted.json().key.id as string;
      expect(minted.json().key.budget).toEqual(monthly);
      expect((await send('GET', '/admin/keys', bearer(token))).json().keys.find((k: { id: string }) => k.id === id).budget).toEqual(monthly);

      const patched = await send('PATCH', `/admin/keys/${id}`, bearer(token), { budget: { limit: 50, period: 'day' } });
      expect(patched.statusCode).toBe(200);
      expect(patched.json().budget).toEqual({ limit: 50, period: 'day', time_zone: 'UTC', spent: 0, remaining: 50, resets_at: '2026-02-01T00:00:00.000Z' });
      const asMember = { ...team.member.auth, 'x-account-id': team.accountId };
      expect((await send('PATCH', `/admin/keys/${id}`, asMember, { budget: null })).statusCode).toBe(403);
      expect((await send('PATCH', `/admin/keys/${id}`, bearer(token), { budget: { limit: 5, period: 'day', colour: 'red' } })).statusCode).toBe(422);
      expect((await send('PATCH', `/admin/keys/${id}`, user.auth, { budget: null })).statusCode).toBe(404);
      expect((await send('PATCH', `/admin/keys/${id}`, bearer(token), { budget: null })).json().budget).toBeNull();
    });
  });
}
