// Issue 9 item 1: `provider/model` straight to a server-wide provider is an operator opt-in
// (`direct: true`, off by default), and a call is priced by the target it resolves to. The attack:
// a self-registered user with balance 0 asks for `<server provider>/<any name>` and, before the
// fix, got answers at 0 credits with the operator's provider secret attached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { signUp, type SignedIn } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';

const VAULT_SECRET = 'sk-operator-vault-secret-0123456789';
const messages = [{ role: 'user', content: 'Say hello to the gateway.' }];

for (const target of databaseTargets()) {
  describe(`direct provider/model access (${target.name})`, () => {
    let f: GatewayFixture;
    let vault: MockOpenAI;
    let operator: SignedIn;
    let accountId: string;
    const chat = (model: string) => f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model, messages } });
    const balance = async () => (await f.gw.services.credits.ledger.balance(accountId)).balance;

    beforeAll(async () => {
      rememberSecret(VAULT_SECRET);
      vault = await startMockOpenAI({ apiKey: VAULT_SECRET });
      // A server-wide provider with a secret and no `models` list: before the fix it served any name.
      f = await startGatewayFixture({
        target,
        // Lets the account add its own upstream on loopback (the mock) in the last test.
        env: { TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
        config: { providers: [{ id: 'vault', type: 'openai', base_url: vault.url, api_key: VAULT_SECRET }] },
      });
      accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      operator = await signUp(f.gw.app);
      await f.gw.services.storage.users.setOperator(operator.userId, true, new Date().toISOString());
    });
    afterAll(async () => {
      await f?.close();
      await vault?.close();
    });

    it("refuses a server provider's model by direct name unless the operator opted in, and never calls it", async () => {
      expect(await balance()).toBe(0);
      const response = await chat('vault/anything-at-all');
      expect(response.statusCode).toBe(400);
      // The same answer as a provider that does not exist: nothing tells the caller it is there.
      const missing = await chat('nothere/anything-at-all');
      expect(missing.statusCode).toBe(400);
      expect(response.json().error.message.replace('vault', 'X')).toBe(missing.json().error.message.replace('nothere', 'X'));
      expect(response.json().error).toMatchObject({ type: 'invalid_request_error', param: 'model' });
      expect(vault.requests).toHaveLength(0);
      // Nor does /v1/models offer it.
      const listed = (await f.gw.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${f.key}` } })).json();
      expect(listed.data.map((m: { id: string }) => m.id).filter((id: string) => id.startsWith('vault/'))).toEqual([]);
    });

    it('serves a direct name once the operator sets direct: true, and charges the price of the target', async () => {
      const created = await f.gw.app.inject({
        method: 'POST',
        url: '/api/v1/operator/providers',
        headers: operator.auth,
        payload: { name: 'opened', type: 'openai', base_url: vault.url, api_key: VAULT_SECRET, models: ['gpt-4o-mini'], direct: true },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ name: 'opened', direct: true });
      const price = await f.gw.app.inject({ method: 'PUT', url: '/api/v1/operator/prices', headers: operator.auth, payload: { model: 'opened/gpt-4o-mini', per_request: 7 } });
      expect(price.statusCode).toBe(200);

      // Balance 0: the price applies, so the call is refused for credits, and the upstream never hears of it.
      const poor = await chat('opened/gpt-4o-mini');
      expect(poor.statusCode).toBe(402);
      expect(poor.json().error.code).toBe('insufficient_credits');
      expect(vault.requests).toHaveLength(0);

      await f.gw.services.credits.ledger.grant({ accountId, amount: 20, reason: 'test', actorId: null, requestId: null });
      const paid = await chat('opened/gpt-4o-mini');
      expect(paid.statusCode).toBe(200);
      expect(vault.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini' });
      expect(await waitFor(async () => (await balance()) === 13)).toBe(true);
      const ledger = await f.gw.services.storage.credits.listLedger(accountId, 10);
      expect(ledger.map((e) => Number(e.amount))).toContain(-7);
      // Listed now that it can be called.
      const listed = (await f.gw.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${f.key}` } })).json();
      expect(listed.data.map((m: { id: string }) => m.id)).toContain('opened/gpt-4o-mini');
    });

    it('turns direct access off again with PATCH direct: false (at once on this node)', async () => {
      const list = (await f.gw.app.inject({ method: 'GET', url: '/api/v1/operator/providers', headers: operator.auth })).json();
      const opened = list.providers.find((p: { name: string }) => p.name === 'opened');
      expect(opened.direct).toBe(true);
      const patched = await f.gw.app.inject({ method: 'PATCH', url: `/api/v1/operator/providers/${opened.id}`, headers: operator.auth, payload: { direct: false } });
      expect(patched.json()).toMatchObject({ direct: false });
      const before = vault.requests.length;
      expect((await chat('opened/gpt-4o-mini')).statusCode).toBe(400);
      expect(vault.requests).toHaveLength(before);
      // A declared model of a provider that is not direct is not offered either.
      const listed = (await f.gw.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${f.key}` } })).json();
      expect(listed.data.map((m: { id: string }) => m.id)).not.toContain('opened/gpt-4o-mini');
    });

    it("keeps an account's own providers reachable by direct name (their upstream, their secret: free unless priced)", async () => {
      // `direct` is the operator's switch for server-wide providers; an account's own are always direct.
      const refused = await f.gw.app.inject({ method: 'POST', url: '/admin/providers', headers: f.user.auth, payload: { name: 'mine', type: 'openai', base_url: f.mock.url, direct: false } });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().errors[0]).toMatchObject({ code: 'validation_error', field: 'direct' });
      const created = await f.gw.app.inject({ method: 'POST', url: '/admin/providers', headers: f.user.auth, payload: { name: 'mine', type: 'openai', base_url: f.mock.url, models: ['gpt-4o-mini'] } });
      expect(created.statusCode).toBe(201);
      expect(created.json().direct).toBe(true);
      const before = await balance();
      const response = await chat('mine/gpt-4o-mini');
      expect(response.statusCode).toBe(200);
      expect(f.mock.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini' });
      expect(await balance()).toBe(before);
    });
  });
}
