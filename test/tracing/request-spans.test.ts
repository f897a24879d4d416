// SPEC §12 Tracing: one SERVER span per data-plane request with the GenAI attributes, the account,
// key id and credits charged; one CLIENT span per upstream attempt; the upstream receives that
// attempt's context as `traceparent`, in the caller's trace; and no span carries a secret, a prompt
// or a query string. Through real sockets, on every database target, spans in an in-memory exporter.
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, UPSTREAM_SECRET, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstream.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';

const PROMPT = 'Tell the gateway a secret recipe for lemon cake.';
const ONE_PER_TOKEN = { input_per_mtok: 1_000_000, output_per_mtok: 1_000_000, per_request: 0, max_output_tokens: 20 };
const QUERY_SECRET = 'query-secret-value-4242';

/** A caller's own trace context, as a client SDK would send it. */
function callerContext(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

for (const target of databaseTargets()) {
  describe(`request spans (${target.name})`, () => {
    const exporter = new InMemorySpanExporter();
    let f: GatewayFixture;
    let flaky: MockOpenAI;
    let slow: MockOpenAI;
    let ephemeris: HttpUpstream;
    let accountId: string;
    beforeAll(async () => {
      flaky = await startMockOpenAI({ failWith: { status: 503 } });
      slow = await startMockOpenAI({ chunks: 40, chunkIntervalMs: 50 });
      ephemeris = await startHttpUpstream();
      f = await startGatewayFixture({
        target,
        spanExporter: exporter,
        config: {
          providers: [
            { id: 'flaky', type: 'openai', base_url: flaky.url },
            { id: 'slow', type: 'openai', base_url: slow.url },
            { id: 'ephemeris', type: 'http', base_url: ephemeris.url },
          ],
          aliases: [
            { name: 'failover', strategy: 'fallback', targets: [{ provider: 'flaky', model: 'gpt-4o-mini' }, { provider: 'mock', model: 'gpt-4.1-mini' }] },
            { name: 'slow-chat', strategy: 'fallback', targets: [{ provider: 'slow', model: 'gpt-4o-mini' }] },
          ],
          routes: [{ path: '/v1/positions', provider: 'ephemeris', methods: ['GET'], cost: 3 }],
          prices: [
            { model: 'chat-default', ...ONE_PER_TOKEN },
            { model: 'failover', ...ONE_PER_TOKEN },
            { model: 'slow-chat', ...ONE_PER_TOKEN, max_output_tokens: 100 },
          ],
        },
      });
      accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      await f.gw.services.credits.ledger.grant({ accountId, amount: 10_000, reason: 'test', actorId: null, requestId: null });
      await f.listen();
    });
    afterAll(async () => {
      await f?.close();
      await flaky?.close();
      await slow?.close();
      await ephemeris?.close();
    });
    beforeEach(() => exporter.reset());

    /** The request's spans, once its server span has ended (after settlement). */
    async function finishedSpans(): Promise<{ server: ReadableSpan; clients: ReadableSpan[]; all: ReadableSpan[] }> {
      expect(await waitFor(() => exporter.getFinishedSpans().some((span) => span.kind === SpanKind.SERVER))).toBe(true);
      const all = exporter.getFinishedSpans();
      const servers = all.filter((span) => span.kind === SpanKind.SERVER);
      expect(servers).toHaveLength(1);
      return { server: servers[0]!, clients: all.filter((span) => span.kind === SpanKind.CLIENT), all };
    }

    /** Everything a span exports that a reader could see: name, attributes, status, events, resource. */
    function expectNoSecrets(spans: ReadableSpan[], ...secrets: string[]): void {
      for (const span of spans) {
        const exported = JSON.stringify([span.name, span.attributes, span.status, span.events, span.resource.attributes]);
        for (const secret of [f.key, UPSTREAM_SECRET, PROMPT, QUERY_SECRET, ...secrets]) expect(exported).not.toContain(secret);
        expect(exported.toLowerCase()).not.toContain('bearer');
      }
    }

    const chat = (body: object, headers: Record<string, string> = {}) =>
      fetch(`${f.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ messages: [{ role: 'user', content: PROMPT }], ...body }),
        signal: AbortSignal.timeout(5_000),
      });

    it('traces a chat completion as `chat {model}` with its usage, credits and caller, in the caller’s trace', async () => {
      const caller = callerContext();
      const response = await chat({ model: 'chat-default' }, { traceparent: caller.traceparent, tracestate: 'vendor=abc' });
      expect(response.status).toBe(200);
      const usage = ((await response.json()) as { usage: Usage }).usage;

      const { server, clients, all } = await finishedSpans();
      expect(server.name).toBe('chat chat-default');
      expect(server.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'chat-default',
        'gen_ai.response.model': 'gpt-4o-mini',
        'gen_ai.provider.name': 'mock',
        'gen_ai.usage.input_tokens': usage.prompt_tokens,
        'gen_ai.usage.output_tokens': usage.completion_tokens,
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'tollgate.account_id': accountId,
        'tollgate.key_id': f.keyId,
        'tollgate.credits': usage.prompt_tokens + usage.completion_tokens,
        'tollgate.request_id': response.headers.get('x-request-id'),
      });
      expect(server.status.code).toBe(SpanStatusCode.UNSET);
      expect(server.resource.attributes['service.name']).toBe('tollgate');
      // The caller's traceparent is this span's parent…
      expect(server.spanContext().traceId).toBe(caller.traceId);
      expect(server.parentSpanContext?.spanId).toBe(caller.spanId);

      // …and the upstream sees Tollgate's attempt span as its parent, never the caller's header.
      expect(clients).toHaveLength(1);
      const attempt = clients[0]!;
      expect(attempt.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
      expect(attempt.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': f.mock.port, 'http.request.method': 'POST', 'http.response.status_code': 200 });
      const seen = f.mock.requests.at(-1)!.headers;
      expect(seen.traceparent).toBe(`00-${caller.traceId}-${attempt.spanContext().spanId}-01`);
      expect(seen.tracestate).toBe('vendor=abc');
      expectNoSecrets(all);
    });

    it('traces a streamed chat completion with the usage of its final chunk', async () => {
      const response = await chat({ model: 'chat-default', stream: true, stream_options: { include_usage: true } });
      expect(response.status).toBe(200);
      const events = (await response.text()).split('\n\n').filter((event) => event.startsWith('data: {'));
      const usage = (JSON.parse(events.at(-1)!.slice('data: '.length)) as { usage: Usage }).usage;
      expect(usage.completion_tokens).toBeGreaterThan(0);

      const { server, clients, all } = await finishedSpans();
      expect(server.name).toBe('chat chat-default');
      expect(server.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.response.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': usage.prompt_tokens,
        'gen_ai.usage.output_tokens': usage.completion_tokens,
        'http.response.status_code': 200,
        'tollgate.credits': usage.prompt_tokens + usage.completion_tokens,
      });
      // A new trace of Tollgate's own when the caller sent none; the upstream is inside it.
      expect(server.parentSpanContext).toBeUndefined();
      expect(f.mock.requests.at(-1)!.headers.traceparent).toBe(`00-${server.spanContext().traceId}-${clients[0]!.spanContext().spanId}-01`);
      // The span covers the whole stream, not just its first byte.
      expect(server.endTime[0] * 1e9 + server.endTime[1]).toBeGreaterThanOrEqual(clients[0]!.endTime[0] * 1e9 + clients[0]!.endTime[1]);
      expectNoSecrets(all);
    });

    it('traces a stream the client left as 499, not an error, charged for what was delivered', async () => {
      const controller = new AbortController();
      const response = await fetch(`${f.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow-chat', stream: true, messages: [{ role: 'user', content: PROMPT }] }),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();

      const { server } = await finishedSpans();
      expect(server.attributes).toMatchObject({ 'http.response.status_code': 499, 'tollgate.outcome': 'aborted', 'gen_ai.response.model': 'gpt-4o-mini' });
      expect(server.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(server.attributes['tollgate.credits']).toBeGreaterThan(0);
      expect(server.status.code).toBe(SpanStatusCode.UNSET);
      expect(server.attributes['error.type']).toBeUndefined();
    });

    it('traces one client span per attempt when a call fails over', async () => {
      const response = await chat({ model: 'failover' });
      expect(response.status).toBe(200);
      await response.text();
      const { server, clients } = await finishedSpans();
      expect(server.attributes).toMatchObject({ 'gen_ai.request.model': 'failover', 'gen_ai.provider.name': 'mock', 'gen_ai.response.model': 'gpt-4.1-mini' });
      expect(clients.map((span) => span.attributes['http.response.status_code'])).toEqual([503, 200]);
      expect(clients.map((span) => span.parentSpanContext?.spanId)).toEqual([server.spanContext().spanId, server.spanContext().spanId]);
      expect(clients[0]!.status).toMatchObject({ code: SpanStatusCode.ERROR });
      expect(clients[0]!.attributes['server.port']).toBe(flaky.port);
      // Each upstream was told its own attempt.
      expect(flaky.requests.at(-1)!.headers.traceparent).toContain(clients[0]!.spanContext().spanId);
      expect(f.mock.requests.at(-1)!.headers.traceparent).toContain(clients[1]!.spanContext().spanId);
    });

    it('traces a bad key as a 401 with error status and code, and no key material', async () => {
      const wrongKey = `${f.key.slice(0, -4)}${f.key.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      const sent = f.mock.requests.length;
      const response = await chat({ model: 'chat-default' }, { authorization: `Bearer ${wrongKey}` });
      expect(response.status).toBe(401);
      const { server, clients, all } = await finishedSpans();
      expect(server.status).toEqual({ code: SpanStatusCode.ERROR, message: 'invalid_api_key' });
      expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 401, 'error.type': 'invalid_api_key' });
      expect(server.attributes['tollgate.account_id']).toBeUndefined();
      expect(clients).toHaveLength(0);
      expect(f.mock.requests.length).toBe(sent);
      expectNoSecrets(all, wrongKey, wrongKey.slice(-12));
    });

    it('traces a refusal at admission (402) with its code, the caller and no upstream attempt', async () => {
      // A server-wide target with no price is blocked once any price exists (SPEC §8).
      const response = await chat({ model: 'mock/gpt-4o-mini' });
      expect(response.status).toBe(402);
      const { server, clients } = await finishedSpans();
      expect(server.name).toBe('chat mock/gpt-4o-mini');
      expect(server.status).toEqual({ code: SpanStatusCode.ERROR, message: 'model_unpriced' });
      expect(server.attributes).toMatchObject({ 'error.type': 'model_unpriced', 'http.response.status_code': 402, 'tollgate.account_id': accountId, 'tollgate.key_id': f.keyId, 'tollgate.credits': 0 });
      expect(clients).toHaveLength(0);
    });

    it('traces a plain HTTP route by its path, without the query string, and never forwards the caller’s traceparent', async () => {
      const caller = callerContext();
      const response = await fetch(`${f.baseUrl}/v1/positions/mars?token=${QUERY_SECRET}`, { headers: { 'x-api-key': f.key, traceparent: caller.traceparent } });
      expect(response.status).toBe(200);
      await response.text();
      const { server, clients, all } = await finishedSpans();
      expect(server.name).toBe('GET /v1/positions');
      expect(server.attributes).toMatchObject({ 'http.route': '/v1/positions', 'http.response.status_code': 200, 'tollgate.provider': 'ephemeris', 'tollgate.credits': 3, 'tollgate.key_id': f.keyId });
      expect(server.attributes['gen_ai.operation.name']).toBeUndefined();
      expect(server.spanContext().traceId).toBe(caller.traceId);
      const forwarded = ephemeris.requests.at(-1)!.headers.traceparent;
      expect(forwarded).not.toBe(caller.traceparent);
      expect(forwarded).toBe(`00-${caller.traceId}-${clients[0]!.spanContext().spanId}-01`);
      expectNoSecrets(all);
    });
  });
}

describe('tracing off (the default)', () => {
  let f: GatewayFixture;
  let ephemeris: HttpUpstream;
  beforeAll(async () => {
    ephemeris = await startHttpUpstream();
    f = await startGatewayFixture({
      config: { providers: [{ id: 'ephemeris', type: 'http', base_url: ephemeris.url }], routes: [{ path: '/v1/positions', provider: 'ephemeris', methods: ['GET'] }] },
    });
  });
  afterAll(async () => {
    await f?.close();
    await ephemeris?.close();
  });

  it('builds no tracer, sends no trace context upstream and drops the caller’s', async () => {
    expect(f.gw.services.tracing).toBeNull();
    const chat = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model: 'chat-default', messages: [{ role: 'user', content: 'hi' }] } });
    expect(chat.statusCode).toBe(200);
    expect(f.mock.requests.at(-1)!.headers.traceparent).toBeUndefined();
    const route = await f.gw.app.inject({ url: '/v1/positions/mars', headers: { 'x-api-key': f.key, traceparent: callerContext().traceparent, tracestate: 'vendor=abc' } });
    expect(route.statusCode).toBe(200);
    expect(ephemeris.requests.at(-1)!.headers.traceparent).toBeUndefined();
    expect(ephemeris.requests.at(-1)!.headers.tracestate).toBeUndefined();
  });
});
