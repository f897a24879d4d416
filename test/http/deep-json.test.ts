// Deeply nested JSON is a malformed request (400 invalid_request), on the control plane and the
// data plane alike, never a 500 from a parser or validator that ran out of stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('deeply nested JSON', () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await startGatewayFixture({ env: { TOLLGATE_BODY_LIMIT_BYTES: String(4 * 1024 * 1024) } });
  });
  afterAll(() => f?.close());

  it.each([['arrays', deep(100_000)], ['objects', deepObject(100_000)]])('answers 400 to %s nested 100,000 deep on the control plane', async (_kind, payload) => {
    const response = await f.gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].code).toBe('invalid_request');
  });

  it('answers 400 in OpenAI shape to a chat request whose messages nest 100,000 deep', async () => {
    const payload = `{"model":"chat-default","messages":[{"role":"user","content":${deep(100_000)}}]}`;
    const response = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_request');
    expect(f.mock.requests).toHaveLength(0);
  });

  it('still accepts JSON nested as deep as real requests go', async () => {
    const content = `"${'x'.repeat(10)}"`;
    const tools = '{"type":"object","properties":'.repeat(20) + '{}' + '}'.repeat(20);
    const payload = `{"model":"chat-default","messages":[{"role":"user","content":${content}}],"metadata":{"schema":${tools}}}`;
    const response = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(200);
  });
});
