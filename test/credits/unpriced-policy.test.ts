// SPEC §8's unpriced policy (issue 9 item 1): a call whose target has no price is free only while
// no price exists anywhere (a gateway for keys and limits only); once any price exists — in the
// config file or set at run time through the operator API — it is refused with 402
// model_unpriced, unless the operator chose `free` or `{ceiling: N}`. Every unpriced request is
// counted in /metrics. A call is charged the price of the target that answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { signUp, type SignedIn } from '../support/harness.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';

const messages = [{ role: 'user', content: 'Say hello to the gateway.' }];

function harness(get: () => GatewayFixture) {
  const accountOf = async () => (await get().gw.services.storage.accounts.findPersonal(get().user.userId))!.id;
  return {
    chat: (model: string) => get().gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${get().key}` }, payload: { model, messages } }),
    balance: async () => (await get().gw.services.credits.ledger.balance(await accountOf())).balance,
    grant: async (amount: number) => get().gw.services.credits.ledger.grant({ accountId: await accountOf(), amount, reason: 'test', actorId: null, requestId: null }),
    unpricedCount: async (policy: string) => {
      const metric = await get().gw.services.gateway.metrics.registry.getSingleMetric('tollgate_unpriced_requests_total')?.get();
      return metric?.values.find((v) => v.labels.policy === policy)?.value ?? 0;
    },
  };
}

for (const target of databaseTargets()) {
  describe(`unpriced models once prices exist (${target.name})`, () => {
    let f: GatewayFixture;
    let down: MockOpenAI;
    const h = harness(() => f);
    beforeAll(async () => {
      down = await startMockOpenAI({ failWith: { status: 500 } });
      f = await startGatewayFixture({
        target,
        config: {
          providers: [
            { id: 'down', type: 'openai', base_url: down.url, direct: true },
          ],
          aliases: [{ name: 'dual', strategy: 'fallback', targets: [{ provider: 'down', model: 'big' }, { provider: 'mock', model: 'gpt-4o-mini' }] }],
          prices: [
            { model: 'chat-default', per_request: 1 },
            { model: 'down/big', per_request: 50 },
            { model: 'mock/gpt-4o-mini', per_request: 3 },
          ],
        },
      });
    });
    afterAll(async () => {
      await f?.close();
      await down?.close();
    });

    it('refuses a model without a price with 402 model_unpriced, naming it, before the upstream is called', async () => {
      await h.grant(100);
      const before = f.mock.requests.length;
      const response = await h.chat('mock/gpt-4.1-mini');
      expect(response.statusCode).toBe(402);
      expect(response.json().error).toMatchObject({ code: 'model_unpriced', type: 'insufficient_quota' });
      expect(response.json().error.message).toContain('mock/gpt-4.1-mini');
      expect(f.mock.requests.length).toBe(before);
      expect(await h.balance()).toBe(100);
      expect(await h.unpricedCount('block')).toBe(1);
    });

    it('charges the target that answered after a failover, having reserved for the dearest candidate', async () => {
      // 100 credits: the hold is 50 (down/big), the charge 3 (mock/gpt-4o-mini answered).
      const response = await h.chat('dual');
      expect(response.statusCode).toBe(200);
      expect(down.requests.length).toBe(1);
      expect(await waitFor(async () => (await h.balance()) === 97)).toBe(true);
      // 40 credits cannot hold the dearest candidate: refused up front.
      await h.grant(-57);
      const poor = await h.chat('dual');
      expect(poor.statusCode).toBe(402);
      expect(poor.json().error.code).toBe('insufficient_credits');
      expect(down.requests.length).toBe(1);
    });
  });

  describe(`unpriced models while no price exists (${target.name})`, () => {
    let f: GatewayFixture;
    let operator: SignedIn;
    const h = harness(() => f);
    beforeAll(async () => {
      f = await startGatewayFixture({ target });
      operator = await signUp(f.gw.app);
      await f.gw.services.storage.users.setOperator(operator.userId, true, new Date().toISOString());
    });
    afterAll(async () => {
      await f?.close();
    });

    it('serves a gateway for keys and limits only for free (balance 0), counting each unpriced request', async () => {
      expect((await h.chat('chat-default')).statusCode).toBe(200);
      expect((await h.chat('mock/gpt-4o-mini')).statusCode).toBe(200);
      expect(await h.balance()).toBe(0);
      expect(await h.unpricedCount('free')).toBe(2);
    });

    it('blocks unpriced models as soon as an operator sets any price at run time, and charges a priced one', async () => {
      const put = await f.gw.app.inject({ method: 'PUT', url: '/api/v1/operator/prices', headers: operator.auth, payload: { model: 'mock/gpt-4o-mini', per_request: 2 } });
      expect(put.statusCode).toBe(200);
      // The target's price covers the alias chat-default too (it has no price of its own).
      expect((await h.chat('mock/gpt-4o-mini')).json().error.code).toBe('insufficient_credits');
      await h.grant(10);
      expect((await h.chat('mock/gpt-4o-mini')).statusCode).toBe(200);
      expect((await h.chat('chat-default')).statusCode).toBe(200);
      expect(await waitFor(async () => (await h.balance()) === 6)).toBe(true);
      const unpriced = await h.chat('mock/gpt-4.1-mini');
      expect(unpriced.statusCode).toBe(402);
      expect(unpriced.json().error.code).toBe('model_unpriced');
      // And free again once the only price is gone.
      const deleted = await f.gw.app.inject({ method: 'DELETE', url: '/api/v1/operator/prices?model=mock%2Fgpt-4o-mini', headers: operator.auth });
      expect(deleted.statusCode).toBe(204);
      expect((await h.chat('mock/gpt-4.1-mini')).statusCode).toBe(200);
    });

    it('does not list a model that the policy would refuse in /v1/models', async () => {
      await f.gw.app.inject({ method: 'PUT', url: '/api/v1/operator/prices', headers: operator.auth, payload: { model: 'mock/gpt-4o-mini', per_request: 1 } });
      const listed = (await f.gw.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${f.key}` } })).json();
      const ids = listed.data.map((m: { id: string }) => m.id);
      expect(ids).toContain('mock/gpt-4o-mini');
      expect(ids).toContain('chat-default');
      expect(ids).not.toContain('mock/gpt-4.1-mini');
    });
  });

  describe(`unpriced: {ceiling: N} (${target.name})`, () => {
    let f: GatewayFixture;
    const h = harness(() => f);
    beforeAll(async () => {
      f = await startGatewayFixture({ target, config: { pricing: { unpriced: { ceiling: 5 } }, prices: [{ model: 'chat-default', per_request: 1 }] } });
    });
    afterAll(async () => {
      await f?.close();
    });

    it('reserves and charges exactly N credits for an unpriced request', async () => {
      await h.grant(12);
      const response = await h.chat('mock/gpt-4.1-mini');
      expect(response.statusCode).toBe(200);
      expect(await waitFor(async () => (await h.balance()) === 7)).toBe(true);
      await h.chat('mock/gpt-4.1-mini');
      expect(await waitFor(async () => (await h.balance()) === 2)).toBe(true);
      const poor = await h.chat('mock/gpt-4.1-mini');
      expect(poor.statusCode).toBe(402);
      expect(poor.json().error.code).toBe('insufficient_credits');
      expect(await h.unpricedCount('ceiling')).toBe(3);
    });
  });
}
