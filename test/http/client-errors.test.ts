// Errors Node's HTTP parser raises before Fastify sees a request — headers too large (431), a
// malformed request (400), a request that took too long to arrive (408) — answer in Tollgate's
// error envelope like every other error (issue 9 item 26).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

describe('errors of the HTTP parser', () => {
  let gw: TestGateway;
  let port: number;
  beforeAll(async () => {
    gw = await startTestGateway();
    port = Number(new URL(await gw.app.listen({ host: '127.0.0.1', port: 0 })).port);
  });
  afterAll(() => gw?.close());

  it('answers headers too large with 431 in the error envelope', async () => {
    const answer = await rawRequest({ port, head: `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n` });
    expect(answer.status).toBe(431);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body);
    expect(body.errors[0].code).toBe('headers_too_large');
    expect(body.meta.request_id).toMatch(/^req_/);
    expect(answer.headers['x-request-id']).toBe(body.meta.request_id);
  });

  it('answers a malformed request with 400 invalid_request in the error envelope', async () => {
    const answer = await rawRequest({ port, head: 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\n\r\n' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).errors[0].code).toBe('invalid_request');
  });

  it('answers a path with broken percent-encoding with 400 invalid_request in the error envelope', async () => {
    const answer = await rawRequest({ port, head: 'GET /v1/positions/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' });
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.body);
    expect(body.errors[0].code).toBe('invalid_request');
    expect(answer.headers['x-request-id']).toBe(body.meta.request_id);
  });
});
