// Issue 9 item 16 (SPEC §7): /metrics is not public. With TOLLGATE_METRICS_TOKEN set it takes that
// bearer token (compared in constant time); unset, it answers only clients connected over loopback
// that did not come through a proxy. Labels stay bounded: account-owned upstreams are one
// `account` value, never their names.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { rememberSecret } from '../support/log-capture.js';
import { signUp } from '../support/harness.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const payload = { model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] };

function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const nic of list ?? []) if (nic.family === 'IPv4' && !nic.internal) return nic.address;
  return undefined;
}

describe('/metrics with TOLLGATE_METRICS_TOKEN', () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    rememberSecret(TOKEN);
    f = await startGatewayFixture({ env: { TOLLGATE_METRICS_TOKEN: TOKEN, TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'true' } });
  });
  afterAll(() => f?.close());

  it('refuses a request without the token, or with another, with 401 and a Bearer challenge', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Bearer ${TOKEN}x` }]) {
      const response = await f.gw.app.inject({ url: '/metrics', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.body).not.toContain('tollgate_http_requests_total');
    }
  });

  it('serves the metrics to the token', async () => {
    const response = await f.gw.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('tollgate_http_requests_total');
  });

  it('labels an account-owned upstream as `account`, never by its name', async () => {
    const owner = await signUp(f.gw.app);
    const name = 'secret-project-upstream-4711';
    const created = await f.gw.app.inject({
      method: 'POST',
      url: '/admin/providers',
      headers: owner.auth,
      payload: { name, type: 'openai', base_url: f.mock.url, models: ['gpt-4o-mini'] },
    });
    expect(created.statusCode).toBe(201);
    const keyResponse = await f.gw.app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: owner.auth, payload: { name: 'k' } });
    const key = keyResponse.json().key as string;
    rememberSecret(key);
    const chat = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, payload: { ...payload, model: `${name}/gpt-4o-mini` } });
    expect(chat.statusCode).toBe(200);
    await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload });
    const text = (await f.gw.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).body;
    expect(text).not.toContain(name);
    expect(text).toMatch(/tollgate_upstream_duration_seconds_count\{provider="account",outcome="200"\} 1/);
    expect(text).toMatch(/tollgate_upstream_duration_seconds_count\{provider="mock",outcome="200"\} 1/);
  });
});

describe('/metrics without a token', () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await startGatewayFixture();
  });
  afterAll(() => f?.close());

  it('answers a loopback client', async () => {
    const response = await f.gw.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(response.statusCode).toBe(200);
    expect((await f.gw.app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
  });

  it('refuses a client on another address, and a loopback connection relaying a forwarded request', async () => {
    const remote = await f.gw.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().errors[0].code).toBe('forbidden');
    const proxied = await f.gw.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.statusCode).toBe(403);
  });

  it.skipIf(!nonLoopbackAddress())('refuses a real connection to a non-loopback interface', async () => {
    const address = nonLoopbackAddress()!;
    await f.gw.app.listen({ host: address, port: 0 });
    const port = (f.gw.app.server.address() as { port: number }).port;
    const response = await fetch(`http://${address}:${port}/metrics`);
    expect(response.status).toBe(403);
  });
});
