// The official `openai` SDK, pointed at Tollgate with a Tollgate key, talks to a real upstream
// through the gateway: both base URLs, every endpoint, plain and streamed — and Tollgate's own
// refusals surface as SDK errors carrying Tollgate's message.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, UPSTREAM_SECRET, type GatewayFixture } from '../support/gateway-fixture.js';

const messages = [{ role: 'user' as const, content: 'Say hello to the gateway.' }];

for (const target of databaseTargets()) {
  describe(`the openai SDK through Tollgate (${target.name})`, () => {
    let f: GatewayFixture;
    beforeAll(async () => {
      f = await startGatewayFixture({ target });
      await f.listen();
    });
    afterAll(async () => {
      await f?.close();
    });

    for (const base of ['/v1', '/api/v1']) {
      describe(`with base URL …${base}`, () => {
        const client = () => new OpenAI({ baseURL: `${f.baseUrl}${base}`, apiKey: f.key, maxRetries: 0 });

        it('gets a chat completion, and the upstream sees the provider secret, never the Tollgate key', async () => {
          const before = f.mock.requests.length;
          const completion = await client().chat.completions.create({ model: 'chat-default', messages });
          expect(completion.choices[0]?.message.content).toBe('This is a deterministic reply');
          expect(completion.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5 });
          const seen = f.mock.requests[before]!;
          expect(seen.headers.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
          expect(JSON.stringify(seen)).not.toContain(f.key);
          expect(seen.body).toMatchObject({ model: 'gpt-4o-mini', messages });
        });

        it('streams a chat completion without the usage chunk the client did not ask for', async () => {
          const stream = await client().chat.completions.create({ model: 'mock/gpt-4o-mini', messages, stream: true });
          const chunks = [];
          for await (const chunk of stream) chunks.push(chunk);
          expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('This is a deterministic reply');
          expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
          // Tollgate asked the upstream for usage all the same, to settle credits on real numbers.
          expect(f.mock.requests.at(-1)?.body).toMatchObject({ stream_options: { include_usage: true } });
        });

        it('keeps the usage chunk when the client asked for it', async () => {
          const stream = await client().chat.completions.create({ model: 'chat-default', messages, stream: true, stream_options: { include_usage: true } });
          const chunks = [];
          for await (const chunk of stream) chunks.push(chunk);
          expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5 });
        });

        it('gets a response, plain and streamed', async () => {
          const response = await client().responses.create({ model: 'mock/gpt-4.1-mini', input: 'Twelve chars' });
          expect(response.output_text).toBe('This is a deterministic reply');
          const stream = await client().responses.create({ model: 'mock/gpt-4.1-mini', input: 'Hi', stream: true });
          const types = [];
          for await (const event of stream) types.push(event.type);
          expect(types[0]).toBe('response.created');
          expect(types.at(-1)).toBe('response.completed');
          expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(5);
        });

        it('gets embeddings', async () => {
          const embeddings = await client().embeddings.create({ model: 'mock/text-embedding-3-small', input: ['hello world!', 'other'] });
          expect(embeddings.data).toHaveLength(2);
          expect(embeddings.data[0]?.embedding).toHaveLength(16);
        });

        it('lists the models and aliases the key may use', async () => {
          const ids = [];
          for await (const model of client().models.list()) ids.push(model.id);
          expect(ids).toEqual(['chat-default', 'mock/gpt-4o-mini', 'mock/gpt-4.1-mini', 'mock/text-embedding-3-small']);
          expect(await client().models.retrieve('mock/gpt-4o-mini')).toMatchObject({ id: 'mock/gpt-4o-mini', object: 'model' });
        });
      });
    }

    it('raises an AuthenticationError with Tollgate\'s message for an invalid key', async () => {
      const client = new OpenAI({ baseURL: `${f.baseUrl}/v1`, apiKey: 'tg_live_notAValidKeyAtAll', maxRetries: 0 });
      const error = await client.chat.completions.create({ model: 'chat-default', messages }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as Error).message).toContain('The provided API key is invalid or has been revoked.');
    });

    it('raises a PermissionDeniedError with Tollgate\'s message for a disallowed origin', async () => {
      const client = new OpenAI({ baseURL: `${f.baseUrl}/v1`, apiKey: f.key, maxRetries: 0, defaultHeaders: { origin: 'https://elsewhere.example' } });
      const patch = await f.gw.app.inject({ method: 'PATCH', url: `/api/v1/auth/keys/${f.keyId}`, headers: f.user.auth, payload: { allowed_origins: ['https://app.example'] } });
      expect(patch.statusCode).toBe(200);
      try {
        const error = await client.chat.completions.create({ model: 'chat-default', messages }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
        expect((error as Error).message).toContain('This key may not be used from this origin.');
      } finally {
        await f.gw.app.inject({ method: 'PATCH', url: `/api/v1/auth/keys/${f.keyId}`, headers: f.user.auth, payload: { allowed_origins: [] } });
      }
    });

    it('raises an AuthenticationError with Tollgate\'s message for a revoked key', async () => {
      const { createKey } = await import('../support/harness.js');
      const doomed = await createKey(f.gw.app, f.user);
      const client = new OpenAI({ baseURL: `${f.baseUrl}/v1`, apiKey: doomed.key, maxRetries: 0 });
      await client.chat.completions.create({ model: 'chat-default', messages });
      const revoke = await f.gw.app.inject({ method: 'DELETE', url: `/api/v1/auth/keys/${doomed.id}`, headers: f.user.auth });
      expect(revoke.statusCode).toBe(204);
      const error = await client.chat.completions.create({ model: 'chat-default', messages }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as Error).message).toContain('The provided API key is invalid or has been revoked.');
    });
  });
}
