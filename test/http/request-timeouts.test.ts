// Issue 9 item 21: a client that sends its request slowly is cut off at the request timeout (Node's
// `requestTimeout`: headers and body, measured from the first byte) with a 408 in the envelope,
// while a streamed answer longer than that timeout is never cut by it.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { rawRequest } from '../support/raw-http.js';

describe('request timeouts', () => {
  let f: GatewayFixture;
  let port: number;
  beforeAll(async () => {
    // 8 chunks 100 ms apart: the stream lasts ~4 times the request timeout.
    f = await startGatewayFixture({ env: { TOLLGATE_REQUEST_TIMEOUT_MS: '200' }, mock: { chunks: 8, chunkIntervalMs: 100 } });
    port = Number(new URL(await f.listen()).port);
  });
  afterAll(() => f?.close());

  it('answers 408 to a body that stops arriving, and closes the connection', async () => {
    const started = Date.now();
    const answer = await rawRequest({
      port,
      head: `POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":`,
      timeoutMs: 5_000,
    });
    expect(answer.reset).toBe(false);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body).errors[0].code).toBe('request_timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers 408 to headers that never end', async () => {
    const answer = await rawRequest({ port, head: 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n', timeoutMs: 5_000 });
    expect(answer.status).toBe(408);
  });

  it('lets a stream run longer than the request timeout', async () => {
    const client = new OpenAI({ baseURL: `${f.baseUrl}/v1`, apiKey: f.key, maxRetries: 0 });
    const started = Date.now();
    const stream = await client.chat.completions.create({ model: 'chat-default', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let chunks = 0;
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) chunks++;
    expect(chunks).toBe(8);
    expect(Date.now() - started).toBeGreaterThan(600);
  });
});
