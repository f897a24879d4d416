// SPEC §5 / issue 9 item 27: a body over the limit gets a 413 the client can read — not a
// connection reset because the server stopped reading — even with several such uploads at once.
// Through a real socket with a raw client that writes the whole body, as curl and SDKs do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { rawRequest, type RawAnswer } from '../support/raw-http.js';

const FIVE_MB = 5 * 1024 * 1024;

describe('a 5 MB body', () => {
  let f: GatewayFixture;
  let port: number;
  beforeAll(async () => {
    f = await startGatewayFixture();
    port = Number(new URL(await f.listen()).port);
  });
  afterAll(() => f?.close());

  const upload = (path: string, framing: 'length' | 'chunked'): Promise<RawAnswer> => {
    const payload = Buffer.concat([Buffer.from('{"model":"chat-default","messages":[{"role":"user","content":"'), Buffer.alloc(FIVE_MB, 'a'), Buffer.from('"}]}')]);
    const body = framing === 'length' ? payload : Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
    const framingHeader = framing === 'length' ? `Content-Length: ${payload.length}` : 'Transfer-Encoding: chunked';
    return rawRequest({
      port,
      head: `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${f.key}\r\nContent-Type: application/json\r\n${framingHeader}\r\n\r\n`,
      body,
      chunkBytes: 64 * 1024,
      timeoutMs: 20_000,
      readAfterBody: true,
    });
  };

  it.each([['length'], ['chunked']] as const)('gets a readable 413 payload_too_large (%s framing)', async (framing) => {
    const answer = await upload('/v1/chat/completions', framing);
    expect(answer.reset).toBe(false);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('payload_too_large');
  });

  it('gets a readable 413 on the control plane too', async () => {
    const answer = await upload('/api/v1/auth/login', 'length');
    expect(answer.reset).toBe(false);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).errors[0].code).toBe('payload_too_large');
  });

  it('gets a readable 413 on every one of 8 parallel uploads', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => upload('/v1/chat/completions', i % 2 ? 'chunked' : 'length')));
    expect(answers.map((a) => `${a.status}${a.reset ? ' reset' : ''}`)).toEqual(Array(8).fill('413'));
  });
});
