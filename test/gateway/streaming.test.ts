// Server-sent events pass through chunk by chunk over a real socket: the client holds the first
// chunk long before the upstream sends the last, and a client that goes away ends the upstream
// request too (the upstream sees the disconnect).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';

const messages = [{ role: 'user' as const, content: 'Stream to me.' }];

for (const target of databaseTargets()) {
  describe(`streaming through Tollgate (${target.name})`, () => {
    let f: GatewayFixture;
    let client: OpenAI;
    beforeAll(async () => {
      f = await startGatewayFixture({ target, mock: { chunkIntervalMs: 100, chunks: 10 } });
      client = new OpenAI({ baseURL: `${await f.listen()}/v1`, apiKey: f.key, maxRetries: 0 });
    });
    afterAll(async () => {
      await f?.close();
    });

    it('delivers the first chat chunk long before the upstream sends the last', async () => {
      const started = performance.now();
      const stream = await client.chat.completions.create({ model: 'chat-default', messages, stream: true });
      const arrivals: number[] = [];
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) arrivals.push(performance.now() - started);
      expect(arrivals).toHaveLength(10);
      // The upstream spaces its 10 words 100 ms apart: ~900 ms from first to last. A buffering
      // proxy would hand them all over at once, at the end.
      expect(arrivals[0]!).toBeLessThan(arrivals.at(-1)! - 500);
    });

    it('delivers Responses API events as they happen, too', async () => {
      const started = performance.now();
      const stream = await client.responses.create({ model: 'mock/gpt-4.1-mini', input: 'Hi', stream: true });
      const deltas: number[] = [];
      for await (const event of stream) if (event.type === 'response.output_text.delta') deltas.push(performance.now() - started);
      expect(deltas).toHaveLength(10);
      expect(deltas[0]!).toBeLessThan(deltas.at(-1)! - 500);
    });

    it('ends the upstream request when the client aborts mid-stream, and records the abort', async () => {
      const abortedBefore = f.mock.aborted;
      const controller = new AbortController();
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'chat-default', messages, stream: true }, { signal: controller.signal })
        .withResponse();
      const requestId = response.headers.get('x-request-id')!;
      let received = 0;
      // The SDK ends the iteration quietly when its signal aborts.
      await (async () => {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content && ++received === 2) controller.abort();
        }
      })().catch(() => {});
      expect(received).toBe(2);
      expect(await waitFor(() => f.mock.aborted === abortedBefore + 1, 2000)).toBe(true);

      await f.gw.services.gateway.usage.flush();
      const usage = await waitFor(async () => {
        await f.gw.services.gateway.usage.flush();
        return (await f.gw.services.storage.usage.findByRequestId(requestId)).length === 1;
      });
      expect(usage).toBe(true);
      const [record] = await f.gw.services.storage.usage.findByRequestId(requestId);
      expect(record).toMatchObject({ outcome: 'aborted', status: 499, keyId: f.keyId, model: 'chat-default', provider: 'mock' });
    });
  });
}
