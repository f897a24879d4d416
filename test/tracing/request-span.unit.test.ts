// The request span's rules, without a server: parent from the caller's W3C traceparent, the
// context an upstream attempt carries, names, error status and code, and ending once.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startTracing } from '../../src/tracing/start-tracing.js';

const exporter = new InMemorySpanExporter();
const warnings: Array<Record<string, unknown>> = [];
const tracing = startTracing({ serviceName: 'unit-tollgate', exporter, log: { warn: (fields) => warnings.push(fields) } });
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

const start = (headers: Record<string, string> = {}, route = '/v1/chat/completions', method = 'POST') =>
  tracing.startRequest({ id: 'req_test', method, route, headers });
const only = (kind: SpanKind) => exporter.getFinishedSpans().filter((span) => span.kind === kind);

describe('request span', () => {
  beforeEach(() => exporter.reset());
  afterAll(() => tracing.shutdown());

  it('continues the caller’s trace and hands the upstream its own attempt as parent', () => {
    const span = start({ traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`, tracestate: 'congo=t61rcWkgMzE' });
    const attempt = span.attempt(new URL('https://api.example.com/v1/chat/completions?secret=1'), 'POST');
    const headers = attempt.headers({ 'content-type': 'application/json' });
    attempt.answered(200);
    span.end({ status: 200, outcome: 'ok' });

    const [server] = only(SpanKind.SERVER);
    const [client] = only(SpanKind.CLIENT);
    expect(server!.spanContext().traceId).toBe(TRACE_ID);
    expect(server!.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(client!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(headers).toEqual({ 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${client!.spanContext().spanId}-01`, tracestate: 'congo=t61rcWkgMzE' });
    expect(client!.attributes).toEqual({ 'http.request.method': 'POST', 'server.address': 'api.example.com', 'server.port': 443, 'http.response.status_code': 200 });
    expect(server!.resource.attributes['service.name']).toBe('unit-tollgate');
  });

  it('starts a trace of its own when the caller’s traceparent is malformed', () => {
    const span = start({ traceparent: `00-${TRACE_ID}-not-a-span-01` });
    const headers = span.attempt(new URL('http://127.0.0.1:8000/'), 'GET').headers({});
    span.end({ status: 200, outcome: 'ok' });
    const [server] = only(SpanKind.SERVER);
    expect(server!.parentSpanContext).toBeUndefined();
    expect(server!.spanContext().traceId).not.toBe(TRACE_ID);
    expect(headers.traceparent).toMatch(new RegExp(`^00-${server!.spanContext().traceId}-[0-9a-f]{16}-01$`));
  });

  it('is named `{operation} {model}` for a model call and carries what was charged', () => {
    const span = start();
    span.identify('acc_1', 'key12345');
    span.describe({ model: 'chat-default', route: null }, 'chat');
    span.end({ status: 200, outcome: 'ok', usage: { inputTokens: 7, outputTokens: 5 }, credits: 12, target: { provider: 'openai', model: 'gpt-4o-mini' } });
    const [server] = only(SpanKind.SERVER);
    expect(server!.name).toBe('chat chat-default');
    expect(server!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'chat-default',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 5,
      'tollgate.credits': 12,
      'tollgate.account_id': 'acc_1',
      'tollgate.key_id': 'key12345',
      'tollgate.request_id': 'req_test',
    });
  });

  it('is named `{method} {route}` for a plain HTTP route, without GenAI attributes', () => {
    const span = start({}, '/*', 'GET');
    span.describe({ model: null, route: '/v1/positions' }, undefined);
    span.end({ status: 200, outcome: 'ok', usage: { inputTokens: 0, outputTokens: 0 }, credits: 1, target: { provider: 'ephemeris', model: '/v1/positions' } });
    const [server] = only(SpanKind.SERVER);
    expect(server!.name).toBe('GET /v1/positions');
    expect(server!.attributes).toMatchObject({ 'http.route': '/v1/positions', 'tollgate.provider': 'ephemeris', 'tollgate.credits': 1 });
    expect(Object.keys(server!.attributes).filter((name) => name.startsWith('gen_ai.'))).toEqual([]);
  });

  it('marks a refusal as an error with its code, a client that left as none, and ends once', () => {
    const refused = start();
    refused.failed('insufficient_credits');
    refused.end({ status: 402, outcome: 'refused' });
    refused.end({ status: 500, outcome: 'failed' });
    const gone = start();
    gone.end({ status: 499, outcome: 'aborted' });
    const relayFailed = start();
    relayFailed.end({ status: 502, outcome: 'failed' });

    const [first, second, third] = only(SpanKind.SERVER);
    expect(only(SpanKind.SERVER)).toHaveLength(3);
    expect(first!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'insufficient_credits' });
    expect(first!.attributes).toMatchObject({ 'error.type': 'insufficient_credits', 'http.response.status_code': 402, 'tollgate.outcome': 'refused' });
    expect(second!.status.code).toBe(SpanStatusCode.UNSET);
    expect(second!.attributes['error.type']).toBeUndefined();
    expect(third!.attributes['error.type']).toBe('502');
  });

  it('marks a failed upstream attempt as an error of that attempt', () => {
    const span = start();
    span.attempt(new URL('http://10.0.0.1:9/'), 'POST').failed('connect');
    span.attempt(new URL('http://10.0.0.2:9/'), 'POST').answered(503);
    span.end({ status: 200, outcome: 'ok' });
    const attempts = only(SpanKind.CLIENT);
    expect(attempts.map((a) => [a.status.code, a.attributes['error.type']])).toEqual([
      [SpanStatusCode.ERROR, 'connect'],
      [SpanStatusCode.ERROR, '503'],
    ]);
  });
});

describe('span export', () => {
  it('reports a failed export in Tollgate’s log, once per batch', async () => {
    const failing = new InMemorySpanExporter();
    await failing.shutdown(); // a stopped in-memory exporter answers every export with a failure
    const seen: Array<Record<string, unknown>> = [];
    const broken = startTracing({ serviceName: 'unit-tollgate', exporter: failing, log: { warn: (fields) => seen.push(fields) } });
    broken.startRequest({ id: 'req_x', method: 'GET', route: '/v1/models', headers: {} }).end({ status: 200, outcome: 'ok' });
    await broken.shutdown();
    expect(seen).toEqual([expect.objectContaining({ spans: 1 })]);
    expect(warnings).toEqual([]);
  });
});
