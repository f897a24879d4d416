// When upstreams fail: an alias moves on to its next target after a connect error or a 5xx (and
// the session follows, recorded); what cannot be served answers 502/504 in OpenAI's error shape
// without a provider's secret or address; upstream time limits answer 504, or end a stream with an
// error event the SDK raises.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { capturedLogs, rememberSecret } from '../support/log-capture.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

const messages = [{ role: 'user', content: 'Hi' }];
const LEAKY_SECRET = 'sk-leaky-provider-secret-987654321';

for (const target of databaseTargets()) {
  describe(`upstream failures (${target.name})`, () => {
    let f: GatewayFixture;
    let flaky: MockOpenAI;
    let leaky: MockOpenAI;
    beforeAll(async () => {
      rememberSecret(LEAKY_SECRET);
      flaky = await startMockOpenAI({ failWith: { status: 503 } });
      leaky = await startMockOpenAI({ failWith: { status: 401, body: { error: { message: `Incorrect API key provided: ${LEAKY_SECRET}`, type: 'invalid_request_error' } } } });
      f = await startGatewayFixture({
        target,
        config: {
          providers: [
            { id: 'dead', type: 'openai', base_url: 'http://127.0.0.1:1/v1' },
            { id: 'flaky', type: 'openai', base_url: flaky.url },
            { id: 'leaky', type: 'openai', base_url: leaky.url, api_key: LEAKY_SECRET, direct: true },
          ],
          aliases: [
            { name: 'resilient', strategy: 'fallback', targets: [{ provider: 'dead', model: 'gpt-4o-mini' }, { provider: 'mock', model: 'gpt-4o-mini' }] },
            { name: 'five-hundred', strategy: 'fallback', targets: [{ provider: 'flaky', model: 'gpt-4o-mini' }, { provider: 'mock', model: 'gpt-4.1-mini' }] },
            { name: 'all-dead', strategy: 'fallback', targets: [{ provider: 'dead', model: 'x' }, { provider: 'flaky', model: 'y' }] },
          ],
        },
      });
    });
    afterAll(async () => {
      await f?.close();
      await flaky?.close();
      await leaky?.close();
    });

    const chat = (model: string, extra: object = {}) =>
      f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model, messages, ...extra } });

    it('moves on to the next target after a connect error, and the session follows', async () => {
      const response = await chat('resilient');
      expect(response.statusCode).toBe(200);
      expect(response.json().choices[0].message.content).toBe('This is a deterministic reply');
      const sessions = await f.gw.app.inject({ url: '/api/v1/sessions', headers: { authorization: `Bearer ${f.key}` } });
      expect(sessions.json()).toEqual([expect.objectContaining({ model: 'resilient', provider: 'mock', target_model: 'gpt-4o-mini', failovers: 1 })]);
      await f.gw.services.gateway.usage.flush();
      const [record] = await f.gw.services.storage.usage.findByRequestId(response.headers['x-request-id'] as string);
      expect(record).toMatchObject({ provider: 'mock', targetModel: 'gpt-4o-mini', failovers: 1, status: 200, outcome: 'ok', inputTokens: 1, outputTokens: 5 });
      // The session now pins the target that works: no more detours.
      const again = await chat('resilient');
      await f.gw.services.gateway.usage.flush();
      const [second] = await f.gw.services.storage.usage.findByRequestId(again.headers['x-request-id'] as string);
      expect(second).toMatchObject({ provider: 'mock', failovers: 0 });
    });

    it('moves on to the next target after a 5xx, for plain and streamed requests', async () => {
      const before = flaky.requests.length;
      expect((await chat('five-hundred')).statusCode).toBe(200);
      expect(flaky.requests.length).toBe(before + 1);
      expect(f.mock.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4.1-mini' });
    });

    it('answers 502 upstream_error in OpenAI shape, naming no upstream, when every target fails', async () => {
      const response = await chat('all-dead');
      expect(response.statusCode).toBe(502);
      expect(response.json().error).toMatchObject({ code: 'upstream_error', type: 'api_error' });
      expect(response.body).not.toContain('127.0.0.1');
      expect(response.body).not.toContain(flaky.url);
    });

    it('logs each failed attempt with the provider, the upstream host and the cause, for the operator', async () => {
      const response = await chat('all-dead');
      expect(response.statusCode).toBe(502);
      const requestId = response.headers['x-request-id'] as string;
      const attempts = capturedLogs
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes(requestId) && line.includes('upstream attempt failed'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(attempts).toEqual([
        expect.objectContaining({ provider: 'dead', host: '127.0.0.1:1', failure: 'connect' }),
        expect.objectContaining({ provider: 'flaky', host: new URL(flaky.url).host, failure: 'status', status: 503 }),
      ]);
    });

    it("turns an upstream's credential failure into 502 without its message or the provider secret", async () => {
      const response = await chat('leaky/gpt-4o-mini');
      expect(response.statusCode).toBe(502);
      expect(response.body).not.toContain(LEAKY_SECRET);
      expect(response.body).not.toContain(leaky.url);
      const client = new OpenAI({ baseURL: `${await f.listen()}/v1`, apiKey: f.key, maxRetries: 0 });
      const error = await client.chat.completions.create({ model: 'leaky/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as Error).message).toContain('The upstream provider failed');
    });

    it("passes an upstream's own 4xx message on, with its status class", async () => {
      const response = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model: 'chat-default' } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'invalid_request', message: "Missing required parameter: 'messages'." });
    });
  });

  describe(`upstream time limits (${target.name})`, () => {
    let slow: GatewayFixture;
    beforeAll(async () => {
      // undici checks its header and body timers on a ~1 s clock, so the upstream here is much slower
      // than the limits: 300 ms to headers and 250 ms idle, against 3 s of silence.
      slow = await startGatewayFixture({ target, mock: { chunkIntervalMs: 3000, chunks: 2 }, config: { upstream: { first_byte_timeout_ms: 300, idle_timeout_ms: 250 } } });
    });
    afterAll(async () => {
      await slow?.close();
    });

    it('answers 504 upstream_timeout when the upstream sends no headers in time', async () => {
      const started = performance.now();
      const lazy = await startMockOpenAI({ delayMs: 3000 });
      try {
        const created = await slow.gw.app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: slow.user.auth, payload: {} });
        expect(created.statusCode).toBe(201);
        rememberSecret(created.json().key);
        // Point a fresh server-wide provider at the lazy mock through the operator API.
        await slow.gw.services.storage.users.setOperator(slow.user.userId, true, new Date().toISOString());
        const provider = await slow.gw.app.inject({ method: 'POST', url: '/api/v1/operator/providers', headers: slow.user.auth, payload: { name: 'lazy', type: 'openai', base_url: lazy.url, direct: true } });
        expect(provider.statusCode).toBe(201);
        const response = await slow.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${created.json().key}` }, payload: { model: 'lazy/gpt-4o-mini', messages } });
        expect(response.statusCode).toBe(504);
        expect(response.json().error.code).toBe('upstream_timeout');
        expect(performance.now() - started).toBeLessThan(2800);
      } finally {
        await lazy.close();
      }
    });

    it('ends a stream that goes quiet for too long with an error event the SDK raises', async () => {
      const client = new OpenAI({ baseURL: `${await slow.listen()}/v1`, apiKey: slow.key, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }], stream: true });
      const received: string[] = [];
      const error = await (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as Error).message).toContain('The upstream provider did not answer in time.');
      expect(received.join('')).toBe('This ');
    });
  });
}
