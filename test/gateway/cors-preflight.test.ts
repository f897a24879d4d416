// A browser's preflight asks for the headers its SDK will send; the data plane allows what it asks
// for (openai-node's stream helpers add x-stainless-helper-method) within its own rules: header
// names only, bounded, never the forwarding or method-override headers Tollgate itself sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/harness.js';

describe('the data plane answering a CORS preflight', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  const preflight = (requested: string) =>
    gw.app.inject({
      method: 'OPTIONS',
      url: '/v1/chat/completions',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': requested },
    });

  const allowed = (answer: { headers: Record<string, unknown> }) => String(answer.headers['access-control-allow-headers']).split(/,\s*/);

  it('allows the headers an OpenAI SDK stream helper asks for', async () => {
    const answer = await preflight('authorization, content-type, x-stainless-helper-method, x-stainless-poll-helper');
    expect(answer.statusCode).toBe(204);
    expect(allowed(answer)).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-stainless-helper-method', 'x-stainless-poll-helper']));
  });

  it('never allows the forwarding or method-override headers, nor a malformed name', async () => {
    const answer = await preflight('x-forwarded-for, forwarded, x-http-method-override, x-real-ip, bad name, x-fine');
    expect(answer.statusCode).toBe(204);
    const names = allowed(answer);
    expect(names).toContain('x-fine');
    for (const refused of ['x-forwarded-for', 'forwarded', 'x-http-method-override', 'x-real-ip', 'bad name']) expect(names).not.toContain(refused);
  });
});
