// What a priced OpenAI-compatible request reserves and forwards (issue 9 item 5): only the cap
// field the endpoint's upstream honours counts, the effective cap is always forwarded in the field
// the provider honours, `n` multiplies the output, caps are validated, and input is counted with a
// real tokenizer (CJK and emoji included).
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { databaseTargets } from '../support/databases.js';
import { startMockOpenAI } from '../support/mock-openai.js';
import { setPrice } from './credit-fixtures.js';

const messages = [{ role: 'user', content: 'Hello there' }];

describe('reservation inputs on the data plane', () => {
  let f: GatewayFixture;
  let accountId: string;
  beforeAll(async () => {
    f = await startGatewayFixture({
      config: {
        // Unpriced traffic passes (the operator's explicit choice), so an unpriced call shows what is forwarded.
        pricing: { unpriced: 'free' },
        aliases: [
          { name: 'capped-chat', strategy: 'fallback', targets: [{ provider: 'mock', model: 'gpt-4o-mini' }] },
          { name: 'free-chat', strategy: 'fallback', targets: [{ provider: 'mock', model: 'gpt-4o-mini' }] },
        ],
      },
    });
    accountId = (await f.gw.services.storage.apiKeys.findById(f.keyId))!.accountId;
    // 1 credit per output token; 1 per input token.
    await setPrice(f.gw.services, 'chat-default', { input: 1_000_000, output: 1_000_000 });
    await setPrice(f.gw.services, 'mock/gpt-4.1-mini', { input: 1_000_000, output: 1_000_000 });
    await setPrice(f.gw.services, 'capped-chat', { output: 1_000_000, maxOutputTokens: 64 });
    await f.gw.services.credits.ledger.grant({ accountId, amount: 300, reason: 'test', actorId: null, requestId: null });
  });
  afterAll(async () => {
    await f?.close();
  });

  const post = (url: string, payload: object) => f.gw.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${f.key}` }, payload });
  const lastForwarded = () => f.mock.requests.at(-1)!.body as Record<string, unknown>;

  it('does not take max_output_tokens as the cap of a chat request', async () => {
    // Chat upstreams ignore max_output_tokens: the reservation is the default cap (4096 > 300).
    const answer = await post('/v1/chat/completions', { model: 'chat-default', messages, max_output_tokens: 1 });
    expect(answer.statusCode).toBe(402);
  });

  it('forwards the cap in max_completion_tokens and never sends max_tokens to such a provider', async () => {
    const answer = await post('/v1/chat/completions', { model: 'chat-default', messages, max_tokens: 7 });
    expect(answer.statusCode).toBe(200);
    expect(lastForwarded()).toMatchObject({ max_completion_tokens: 7 });
    expect(lastForwarded()).not.toHaveProperty('max_tokens');
  });

  it('binds the smaller of max_tokens and max_completion_tokens', async () => {
    const answer = await post('/v1/chat/completions', { model: 'chat-default', messages, max_tokens: 9, max_completion_tokens: 4 });
    expect(answer.statusCode).toBe(200);
    expect(lastForwarded()).toMatchObject({ max_completion_tokens: 4 });
    expect(answer.json().usage.completion_tokens).toBeLessThanOrEqual(4);
  });

  it("adds the price's cap, not max_tokens: 4096, to a priced request that sent none", async () => {
    const answer = await post('/v1/chat/completions', { model: 'capped-chat', messages });
    expect(answer.statusCode).toBe(200);
    expect(lastForwarded()).toMatchObject({ max_completion_tokens: 64 });
    expect(lastForwarded()).not.toHaveProperty('max_tokens');
  });

  it('leaves an unpriced request without a cap untouched', async () => {
    const answer = await post('/v1/chat/completions', { model: 'free-chat', messages });
    expect(answer.statusCode).toBe(200);
    expect(lastForwarded()).not.toHaveProperty('max_tokens');
    expect(lastForwarded()).not.toHaveProperty('max_completion_tokens');
  });

  it('reads and forwards max_output_tokens on the Responses API, where max_tokens is no cap', async () => {
    expect((await post('/v1/responses', { model: 'mock/gpt-4.1-mini', input: 'Hi', max_tokens: 1 })).statusCode).toBe(402);
    const answer = await post('/v1/responses', { model: 'mock/gpt-4.1-mini', input: 'Hi', max_output_tokens: 3 });
    expect(answer.statusCode).toBe(200);
    expect(lastForwarded()).toMatchObject({ max_output_tokens: 3 });
  });

  it.each([
    ['max_tokens', '10'],
    ['max_tokens', -1],
    ['max_completion_tokens', 1.5],
    ['n', 0],
    ['n', 129],
    ['n', '2'],
    ['best_of', 0],
  ])('refuses %s = %j with 400 naming the field', async (field, value) => {
    const answer = await post('/v1/chat/completions', { model: 'chat-default', messages, max_tokens: 5, [field]: value });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatchObject({ code: 'invalid_request', param: field });
  });

  it('reserves the output cap once per choice (n, best_of)', async () => {
    expect((await post('/v1/chat/completions', { model: 'chat-default', messages, max_tokens: 100, n: 2 })).statusCode).toBe(200);
    expect((await post('/v1/chat/completions', { model: 'chat-default', messages, max_tokens: 100, n: 3 })).statusCode).toBe(402);
    expect((await post('/v1/chat/completions', { model: 'chat-default', messages, max_tokens: 100, best_of: 3 })).statusCode).toBe(402);
  });

  it('reserves at least what a real tokenizer counts for CJK and emoji input', async () => {
    const text = '東京の天気はどうですか?🌧️🌂 '.repeat(40);
    const answer = await post('/v1/chat/completions', { model: 'chat-default', messages: [{ role: 'user', content: text }], max_tokens: 1 });
    expect(answer.statusCode).toBe(402);
    const mayCost = Number(/may cost up to (\d+) credits/.exec(answer.json().error.message)![1]);
    expect(mayCost).toBeGreaterThanOrEqual(countTokens(text) + 1);
  });
});

describe('a provider whose upstream honours max_tokens', () => {
  it('gets the cap in max_tokens and never max_completion_tokens', async () => {
    const legacy = await startMockOpenAI();
    const f = await startGatewayFixture({
      config: {
        providers: [{ id: 'legacy', type: 'openai', base_url: legacy.url, output_cap_field: 'max_tokens' }],
        aliases: [{ name: 'legacy-chat', strategy: 'fallback', targets: [{ provider: 'legacy', model: 'gpt-4o-mini' }] }],
      },
    });
    try {
      await setPrice(f.gw.services, 'legacy-chat', { output: 1_000_000, maxOutputTokens: 32 });
      const accountId = (await f.gw.services.storage.apiKeys.findById(f.keyId))!.accountId;
      await f.gw.services.credits.ledger.grant({ accountId, amount: 1000, reason: 'test', actorId: null, requestId: null });
      const post = (payload: object) => f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload });
      expect((await post({ model: 'legacy-chat', messages })).statusCode).toBe(200);
      expect(legacy.requests.at(-1)!.body).toMatchObject({ max_tokens: 32 });
      expect(legacy.requests.at(-1)!.body).not.toHaveProperty('max_completion_tokens');
      expect((await post({ model: 'legacy-chat', messages, max_completion_tokens: 5 })).statusCode).toBe(200);
      expect(legacy.requests.at(-1)!.body).toMatchObject({ max_tokens: 5 });
      expect(legacy.requests.at(-1)!.body).not.toHaveProperty('max_completion_tokens');
    } finally {
      await f.close();
      await legacy.close();
    }
  });
});

for (const target of databaseTargets()) {
  describe(`a stored provider's output_cap_field (${target.name})`, () => {
    it('is set on create and update, shown, and decides the field the cap is forwarded in', async () => {
      const f = await startGatewayFixture({ target, env: { TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'on' } });
      try {
        const admin = (method: 'POST' | 'PATCH', url: string, payload: object) => f.gw.app.inject({ method, url, headers: f.user.auth, payload });
        const created = await admin('POST', '/admin/providers', { name: 'own', type: 'openai', base_url: f.mock.url, output_cap_field: 'max_tokens' });
        expect(created.statusCode).toBe(201);
        expect(created.json()).toMatchObject({ output_cap_field: 'max_tokens' });
        expect((await admin('POST', '/admin/providers', { name: 'bad', type: 'openai', base_url: f.mock.url, output_cap_field: 'max_output_tokens' })).statusCode).toBe(422);
        const chat = () => f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model: 'own/gpt-4o-mini', messages, max_completion_tokens: 3 } });
        expect((await chat()).statusCode).toBe(200);
        expect(f.mock.requests.at(-1)!.body).toMatchObject({ max_tokens: 3 });
        expect(f.mock.requests.at(-1)!.body).not.toHaveProperty('max_completion_tokens');

        const patched = await admin('PATCH', `/admin/providers/${created.json().id}`, { output_cap_field: 'max_completion_tokens' });
        expect(patched.json()).toMatchObject({ output_cap_field: 'max_completion_tokens' });
        expect((await chat()).statusCode).toBe(200);
        expect(f.mock.requests.at(-1)!.body).toMatchObject({ max_completion_tokens: 3 });
        expect(f.mock.requests.at(-1)!.body).not.toHaveProperty('max_tokens');
      } finally {
        await f.close();
      }
    });
  });
}
