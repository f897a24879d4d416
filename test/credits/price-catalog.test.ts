// SPEC §8 "Prices" and "Unpriced models" with the public catalogue on (issue 11 item 3): a
// well-known model is priced from the bundled catalogue without any operator price, an operator's
// price overrides it, and every usage record shows the price it was charged at and where it came
// from (GET /api/v1/usage/requests/{id}). With the catalogue on a price exists, so a model it does
// not know is refused (402 model_unpriced) by default, or charged the ceiling when one is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type DatabaseTarget } from '../support/databases.js';
import { signUp } from '../support/harness.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';
import { setPrice } from './credit-fixtures.js';

const messages = [{ role: 'user', content: 'Say hello to the gateway, please.' }];

/** A gateway whose provider `openai` (a mock here) is priced from the catalogue. */
async function catalogGateway(target: DatabaseTarget, upstream: MockOpenAI, pricing: object): Promise<GatewayFixture> {
  const f = await startGatewayFixture({
    target,
    config: { providers: [{ id: 'openai', type: 'openai', base_url: upstream.url, models: ['gpt-4o-mini', 'llama3.2'], direct: true }], pricing: { catalog: true, ...pricing } },
  });
  const accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
  await f.gw.services.credits.ledger.grant({ accountId, amount: 1_000_000, reason: 'test', actorId: null, requestId: null });
  return f;
}

function chat(f: GatewayFixture, model: string) {
  return f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model, messages, max_tokens: 20 } });
}

/** The caller's view of one request's usage record. */
async function usageOf(f: GatewayFixture, requestId: string) {
  const response = await f.gw.app.inject({ method: 'GET', url: `/api/v1/usage/requests/${requestId}`, headers: f.user.auth });
  expect(response.statusCode).toBe(200);
  return response.json().data[0];
}

for (const target of databaseTargets()) {
  describe(`the price catalogue (${target.name})`, () => {
    let upstream: MockOpenAI;
    let f: GatewayFixture;
    beforeAll(async () => {
      upstream = await startMockOpenAI();
      f = await catalogGateway(target, upstream, {});
    });
    afterAll(async () => {
      await f?.close();
      await upstream?.close();
    });

    it('prices openai/gpt-4o-mini from the catalogue with no operator price, and the usage record says so', async () => {
      const response = await chat(f, 'openai/gpt-4o-mini');
      expect(response.statusCode).toBe(200);
      const record = await usageOf(f, response.headers['x-request-id'] as string);
      expect(record.price).toEqual({ source: 'catalog', input_per_mtok: '150000', output_per_mtok: '600000', per_request: '0' });
      // $0.15 / $0.60 per Mtok at a micro-dollar per credit: 0.15 credits per input token, 0.6 per output token.
      const exact = (record.input_tokens * 15 + record.output_tokens * 60) / 100;
      expect(record.input_tokens).toBeGreaterThan(0);
      expect(Number(record.exact_cost)).toBeCloseTo(exact, 9);
      expect(record.credits).toBe(Math.floor(exact));
    });

    it("charges the operator's price instead once one is set, and records it as the operator's", async () => {
      await setPrice(f.gw.services, 'openai/gpt-4o-mini', { input: 0.5, output: 2 });
      const response = await chat(f, 'openai/gpt-4o-mini');
      expect(response.statusCode).toBe(200);
      const record = await usageOf(f, response.headers['x-request-id'] as string);
      expect(record.price).toEqual({ source: 'operator', input_per_mtok: '0.5', output_per_mtok: '2', per_request: '0' });
      expect(record.credits).toBe(0); // a few tokens at 0.5 / 2 credits per Mtok: a fraction, carried
    });

    it('refuses a model the catalogue does not know with 402 model_unpriced: with the catalogue on, a price exists', async () => {
      const before = upstream.requests.length;
      const response = await chat(f, 'openai/llama3.2');
      expect(response.statusCode).toBe(402);
      expect(response.json().error.code).toBe('model_unpriced');
      expect(upstream.requests.length).toBe(before);
    });

    it("hides another account's request: 404", async () => {
      const response = await chat(f, 'openai/gpt-4o-mini');
      const stranger = await signUp(f.gw.app);
      const theirs = await f.gw.app.inject({ method: 'GET', url: `/api/v1/usage/requests/${response.headers['x-request-id'] as string}`, headers: stranger.auth });
      expect(theirs.statusCode).toBe(404);
    });
  });

  describe(`an unpriced model with a ceiling, the catalogue on (${target.name})`, () => {
    let upstream: MockOpenAI;
    let f: GatewayFixture;
    beforeAll(async () => {
      upstream = await startMockOpenAI();
      f = await catalogGateway(target, upstream, { unpriced: { ceiling: 5 } });
    });
    afterAll(async () => {
      await f?.close();
      await upstream?.close();
    });

    it('charges the ceiling and records it as unpriced_ceiling', async () => {
      const accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      const response = await chat(f, 'openai/llama3.2');
      expect(response.statusCode).toBe(200);
      const record = await usageOf(f, response.headers['x-request-id'] as string);
      expect(record.price).toEqual({ source: 'unpriced_ceiling', input_per_mtok: '0', output_per_mtok: '0', per_request: '5' });
      expect(record).toMatchObject({ credits: 5, exact_cost: '5' });
      expect(await waitFor(async () => (await f.gw.services.credits.ledger.balance(accountId)).balance === 1_000_000 - 5)).toBe(true);
    });
  });
}
