// GET /metrics (Prometheus, one registry per node) and the rate-limit headers every data-plane
// response carries (SPEC §6): OpenAI's x-ratelimit-* and IETF RateLimit-Policy / RateLimit, with
// Retry-After on 429.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../support/harness.js';
import { startGatewayFixture, UPSTREAM_SECRET, type GatewayFixture } from '../support/gateway-fixture.js';

const payload = { model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] };

describe('metrics and data-plane headers', () => {
  let f: GatewayFixture;
  let second: GatewayFixture;
  beforeAll(async () => {
    f = await startGatewayFixture({ config: { limits: { default: { rpm: 1000, tpm: 1_000_000, concurrency: 20 } } } });
    second = await startGatewayFixture();
  });
  afterAll(async () => {
    await f?.close();
    await second?.close();
  });

  it('exposes request, key-cache and upstream metrics, with no key, secret or upstream address', async () => {
    for (let i = 0; i < 3; i++) await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload });
    await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer tg_live_nope' }, payload });
    const metrics = await f.gw.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    const text = metrics.body;
    expect(text).toMatch(/tollgate_http_requests_total\{method="POST",route="\/v1\/chat\/completions",status="200"\} 3/);
    expect(text).toMatch(/tollgate_http_requests_total\{method="POST",route="\/v1\/chat\/completions",status="401"\} 1/);
    expect(text).toMatch(/tollgate_key_cache_lookups_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/tollgate_key_cache_lookups_total\{result="miss"\} [1-9]/);
    expect(text).toMatch(/tollgate_upstream_duration_seconds_count\{provider="mock",outcome="200"\} 3/);
    expect(text).toContain('tollgate_http_request_duration_seconds_bucket');
    for (const secret of [f.key, UPSTREAM_SECRET, f.mock.url]) expect(text).not.toContain(secret);
  });

  it('keeps each node\'s metrics apart in one process', async () => {
    const other = await second.gw.app.inject({ url: '/metrics' });
    expect(other.statusCode).toBe(200);
    expect(other.body).not.toMatch(/route="\/v1\/chat\/completions",status="200"\} 3/);
  });

  // Requests refused before the rate-limit step (no key, unknown model) have no limit to report;
  // nor does a server with no limits configured.
  it('puts the rate-limit headers on every response that reached the limits: plain, streamed, upstream errors, models', async () => {
    const plain = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload });
    const streamed = await f.gw.app.inject({ method: 'POST', url: '/api/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { ...payload, stream: true } });
    const upstreamRefusal = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model: 'chat-default' } });
    expect(upstreamRefusal.statusCode).toBe(400);
    const models = await f.gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${f.key}` } });
    for (const response of [plain, streamed, upstreamRefusal, models]) {
      expect(String(response.headers['x-ratelimit-limit-requests'])).toMatch(/^\d+$/);
      expect(response.headers['x-ratelimit-remaining-requests']).toMatch(/^\d+$/);
      expect(response.headers['ratelimit-policy']).toBeDefined();
      expect(response.headers['x-request-id']).toBeDefined();
    }
    expect(streamed.headers['content-type']).toContain('text/event-stream');
  });

  it('answers 429 with Retry-After in OpenAI shape when the key limit is reached', async () => {
    const limited = await createKey(f.gw.app, f.user, { rate_limit: { rpm: 2 } });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${limited.key}` }, payload }));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 429]);
    expect(results[2]!.json().error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' });
    expect(Number(results[2]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(results[1]!.headers['x-ratelimit-remaining-requests']).toBe('0');
  });
});
