// The operator's credit, limit and price routes and the members' balance route, on every database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';

for (const target of databaseTargets()) {
  describe(`operator credits, limits and prices on ${target.name}`, () => {
    let gw: TestGateway;
    let operator: SignedIn;
    let owner: SignedIn;
    let accountId: string;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
      operator = await signUp(gw.app);
      await gw.services.storage.users.setOperator(operator.userId, true, new Date().toISOString());
      owner = await signUp(gw.app);
      accountId = (await gw.services.storage.accounts.findPersonal(owner.userId))!.id;
    });
    afterAll(() => gw?.close());

    const grant = (body: unknown, headers: Record<string, string> = {}, as: SignedIn = operator, account = accountId) =>
      gw.app.inject({ method: 'POST', url: `/api/v1/operator/accounts/${account}/credits`, headers: { ...as.auth, ...headers }, payload: body as Record<string, unknown> });
    const balance = (headers: Record<string, string>, account = accountId) => gw.app.inject({ url: `/api/v1/accounts/${account}/balance`, headers });

    it('grants credits (201) and shows them in the balance with the ledger entry', async () => {
      const granted = await grant({ amount: 500, reason: 'welcome' });
      expect(granted.statusCode).toBe(201);
      expect(granted.json()).toEqual({ entry_id: expect.stringMatching(/^led_/), account_id: accountId, amount: 500, balance: 500 });
      const seen = await balance(owner.auth);
      expect(seen.statusCode).toBe(200);
      expect(seen.json()).toMatchObject({ account_id: accountId, balance: 500, reserved: 0, available: 500 });
      expect(seen.json().ledger[0]).toMatchObject({ id: granted.json().entry_id, amount: 500, kind: 'grant', reason: 'welcome', created_at: expect.any(String) });
      const audit = await gw.services.storage.audit.listByAccount(accountId, { limit: 5 });
      expect(audit.events.map((e) => e.action)).toContain('credits.granted');
    });

    it('answers a repeated Idempotency-Key with the first answer and one ledger entry, and refuses it for another request with 422', async () => {
      const before = (await balance(owner.auth)).json().balance as number;
      const key = { 'idempotency-key': `grant-${Date.now()}` };
      const first = await grant({ amount: 40 }, key);
      const again = await grant({ amount: 40 }, key);
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(again.headers['idempotent-replayed']).toBe('true');
      const other = await grant({ amount: 41 }, key);
      expect(other.statusCode).toBe(422);
      expect(other.json().errors[0]).toMatchObject({ code: 'validation_error', field: 'Idempotency-Key' });
      const after = (await balance(owner.auth)).json();
      expect(after.balance).toBe(before + 40);
      expect(after.ledger.filter((e: { id: string }) => e.id === first.json().entry_id)).toHaveLength(1);
    });

    it('debits with a negative amount but never below the available balance (409)', async () => {
      const { balance: current } = (await balance(owner.auth)).json() as { balance: number };
      const debit = await grant({ amount: -10, reason: 'refund' });
      expect(debit.statusCode).toBe(201);
      expect(debit.json().balance).toBe(current - 10);
      const tooMuch = await grant({ amount: -(current - 10 + 1) });
      expect(tooMuch.statusCode).toBe(409);
      expect(tooMuch.json().errors[0].code).toBe('conflict');
      expect((await balance(owner.auth)).json().balance).toBe(current - 10);
    });

    it('validates the grant and refuses everyone but operators', async () => {
      expect((await grant({ amount: 0 })).statusCode).toBe(422);
      expect((await grant({ amount: 1.5 })).statusCode).toBe(422);
      expect((await grant({ amount: 10 ** 13 })).statusCode).toBe(422);
      expect((await grant({ amount: 1 }, { 'idempotency-key': 'has space' })).statusCode).toBe(422);
      expect((await grant({ amount: 1 }, {}, owner)).statusCode).toBe(403);
      expect((await grant({ amount: 1 }, {}, operator, 'acc_doesnotexist')).statusCode).toBe(404);
    });

    it("shows the balance to the account's members and its API keys, and 404 to anyone else", async () => {
      const key = await createKey(gw.app, owner);
      expect((await balance({ authorization: `Bearer ${key.key}` })).statusCode).toBe(200);
      expect((await balance({ 'x-api-key': key.key })).json().account_id).toBe(accountId);
      const stranger = await signUp(gw.app);
      const strangersKey = await createKey(gw.app, stranger);
      expect((await balance(stranger.auth)).statusCode).toBe(404);
      expect((await balance({ authorization: `Bearer ${strangersKey.key}` })).statusCode).toBe(404);
      expect((await balance({})).statusCode).toBe(401);
      expect((await balance(operator.auth)).statusCode).toBe(200);
    });

    it('sets, reads and clears per-account limits, and the engine applies them at once', async () => {
      const url = `/api/v1/operator/accounts/${accountId}/limits`;
      const put = (payload: Record<string, unknown>) => gw.app.inject({ method: 'PUT', url, headers: operator.auth, payload });
      const set = await put({ rpm: 2, concurrency: 5 });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toEqual({
        account_id: accountId,
        rpm: 2,
        tpm: null,
        concurrency: 5,
        overrides: { rpm: 2, tpm: null, concurrency: 5 },
        defaults: { rpm: null, tpm: null, concurrency: null },
      });
      expect(await gw.services.credits.limits.effective(accountId)).toEqual({ rpm: 2, tpm: null, concurrency: 5 });
      const cleared = await put({ rpm: null });
      expect(cleared.json()).toMatchObject({ rpm: null, concurrency: 5 });
      expect((await gw.app.inject({ url, headers: operator.auth })).json()).toMatchObject({ rpm: null, concurrency: 5 });
      expect((await put({ rpm: 0 })).statusCode).toBe(422);
      expect((await gw.app.inject({ method: 'PUT', url, headers: owner.auth, payload: { rpm: 1000 } })).statusCode).toBe(403);
    });

    it('manages server-wide prices: operator prices override the config, deleting one restores it', async () => {
      const url = '/api/v1/operator/prices';
      const put = await gw.app.inject({ method: 'PUT', url, headers: operator.auth, payload: { model: 'openai/gpt-mini', input_per_mtok: 150, output_per_mtok: 600 } });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ model: 'openai/gpt-mini', input_per_mtok: 150, output_per_mtok: 600, per_request: 0, max_output_tokens: null, source: 'operator' });
      await gw.app.inject({ method: 'PUT', url, headers: operator.auth, payload: { route: 'rte_positions', per_request: 3 } });
      const listed = (await gw.app.inject({ url, headers: operator.auth })).json().prices;
      expect(listed).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ model: 'openai/gpt-mini', source: 'operator' }),
          expect.objectContaining({ route: 'rte_positions', per_request: 3 }),
        ]),
      );
      expect(await gw.services.credits.prices.priceFor({ kind: 'route', routeId: 'rte_positions', cost: 1 })).toMatchObject({ perRequest: 3 });
      expect((await gw.app.inject({ method: 'PUT', url, headers: operator.auth, payload: { model: 'a', route: 'b' } })).statusCode).toBe(422);
      expect((await gw.app.inject({ method: 'PUT', url, headers: owner.auth, payload: { model: 'a' } })).statusCode).toBe(403);
      const removed = await gw.app.inject({ method: 'DELETE', url: `${url}?model=${encodeURIComponent('openai/gpt-mini')}`, headers: operator.auth });
      expect(removed.statusCode).toBe(204);
      expect(await gw.services.credits.prices.priceFor({ kind: 'model', model: 'openai/gpt-mini' })).toBeNull();
      expect((await gw.app.inject({ method: 'DELETE', url: `${url}?model=nope`, headers: operator.auth })).statusCode).toBe(404);
    });

    it('takes prices per Mtok with up to 6 decimals and keeps them exact; a 7th decimal is a 422 naming the field', async () => {
      const url = '/api/v1/operator/prices';
      const put = await gw.app.inject({ method: 'PUT', url, headers: operator.auth, payload: { model: 'fractional', input_per_mtok: 0.15, output_per_mtok: 123_456_789.123456 } });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ input_per_mtok: 0.15, output_per_mtok: 123_456_789.123456 });
      expect(await gw.services.storage.prices.find('model', 'fractional')).toMatchObject({ inputPerMtok: 0.15, outputPerMtok: 123_456_789.123456 });
      const tooFine = await gw.app.inject({ method: 'PUT', url, headers: operator.auth, payload: { model: 'fractional', input_per_mtok: 0.1234567 } });
      expect(tooFine.statusCode).toBe(422);
      expect(JSON.stringify(tooFine.json())).toContain('input_per_mtok');
      expect(await gw.services.storage.prices.find('model', 'fractional')).toMatchObject({ inputPerMtok: 0.15 });
    });
  });
}
