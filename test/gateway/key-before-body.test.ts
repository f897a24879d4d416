// SPEC §4: the key is checked before the body is read. A data-plane request with a bad key is 401
// whatever its body — malformed JSON, a body over the limit — and every 401 says how to
// authenticate (RFC 6750 §3: `WWW-Authenticate: Bearer`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, signUp, type TestGateway } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const BAD_KEY = 'tg_live_AAAAAAAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaAAAAAA';
const PATHS = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/api/v1/chat/completions'];

describe('the key is checked before the body', () => {
  let gw: TestGateway;
  let port: number;
  beforeAll(async () => {
    gw = await startTestGateway();
    port = new URL(await gw.app.listen({ host: '127.0.0.1', port: 0 })).port as unknown as number;
  });
  afterAll(() => gw?.close());

  it.each(PATHS)('answers 401 in OpenAI shape to a bad key with malformed JSON on %s', async (path) => {
    const response = await gw.app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${BAD_KEY}`, 'content-type': 'application/json' }, payload: '{"model":' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('invalid_api_key');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
  });

  it('answers 401 to a missing key with a 2 MB body sent whole over a socket', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 'a');
    const answer = await rawRequest({
      port,
      head: `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
      readAfterBody: true,
    });
    expect(answer.reset).toBe(false);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error.code).toBe('invalid_api_key');
  });

  it('answers 401 to a bad key on GET /v1/models', async () => {
    const response = await gw.app.inject({ url: '/v1/models', headers: { 'x-api-key': BAD_KEY } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
  });

  it('sends WWW-Authenticate: Bearer with every 401, naming invalid_token where a token was refused', async () => {
    const none = await gw.app.inject({ url: '/api/v1/auth/me' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const garbage = await gw.app.inject({ url: '/api/v1/auth/me', headers: { authorization: 'Bearer nonsense' } });
    expect(garbage.statusCode).toBe(401);
    expect(garbage.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const user = await signUp(gw.app);
    const ok = await gw.app.inject({ url: '/api/v1/auth/me', headers: user.auth });
    expect(ok.headers['www-authenticate']).toBeUndefined();
  });
});
