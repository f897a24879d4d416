// The mock upstream speaks OpenAI's wire formats well enough for the official SDK: every test here
// goes through the `openai` client, so a format drift shows up as an SDK parse failure.
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAI, type MockOpenAIOptions } from './mock-openai.js';

const started: MockOpenAI[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((mock) => mock.close()));
});

async function mockWithClient(options: MockOpenAIOptions = {}): Promise<{ mock: MockOpenAI; client: OpenAI }> {
  const mock = await startMockOpenAI(options);
  started.push(mock);
  const client = new OpenAI({ baseURL: mock.url, apiKey: options.apiKey ?? 'sk-test', maxRetries: 0 });
  return { mock, client };
}

const messages = [{ role: 'user' as const, content: 'Say hello to the gateway.' }]; // 25 chars → 7 tokens

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('chat completions', () => {
  it('answers a chat.completion with deterministic text and usage', async () => {
    const { mock, client } = await mockWithClient();
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message.content).toBe('This is a deterministic reply');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { messages } });
    expect(mock.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('never produces more completion tokens than max_tokens or max_completion_tokens', async () => {
    const { client } = await mockWithClient({ chunks: 10 });
    const capped = await client.chat.completions.create({ model: 'm', messages, max_tokens: 3 });
    expect(capped.usage?.completion_tokens).toBe(3);
    expect(capped.choices[0]?.finish_reason).toBe('length');
    const cappedNew = await client.chat.completions.create({ model: 'm', messages, max_completion_tokens: 2 });
    expect(cappedNew.usage?.completion_tokens).toBe(2);
  });

  it('streams one chat.completion.chunk per word and ends with a finish_reason, without usage unless asked', async () => {
    const { client } = await mockWithClient();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('This is a deterministic reply');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it('adds a final chunk with empty choices and usage only when stream_options.include_usage is true', async () => {
    const { client } = await mockWithClient();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it("is assembled by the SDK's stream helper into a full completion", async () => {
    const { client } = await mockWithClient({ chunks: 3 });
    const final = await client.chat.completions.stream({ model: 'gpt-4o-mini', messages }).finalChatCompletion();
    expect(final.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'This is a' });
  });
});

describe('responses', () => {
  it('answers a completed response with output_text and usage', async () => {
    const { client } = await mockWithClient();
    const response = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Twelve chars', instructions: 'Be kind.' });
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('This is a deterministic reply');
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant' });
    expect(response.usage).toMatchObject({ input_tokens: 5, output_tokens: 5, total_tokens: 10 });
  });

  it('streams the typed events in order and completes with usage', async () => {
    const { client } = await mockWithClient({ chunks: 3 });
    const stream = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Hi', stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const completed = events.at(-1);
    expect(completed?.type === 'response.completed' && completed.response.usage?.output_tokens).toBe(3);
  });

  it("is assembled by the SDK's stream helper into the final response", async () => {
    const { client } = await mockWithClient();
    const final = await client.responses.stream({ model: 'gpt-4.1-mini', input: 'Hi' }).finalResponse();
    expect(final.output_text).toBe('This is a deterministic reply');
  });
});

describe('embeddings and models', () => {
  it('returns one vector per input, decoded by the SDK from its default base64 encoding', async () => {
    const { mock, client } = await mockWithClient();
    const single = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world!' });
    expect(mock.requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
    expect(single.object).toBe('list');
    expect(single.data).toHaveLength(1);
    expect(single.data[0]?.embedding).toHaveLength(16);
    expect(single.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

    const batch = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['hello world!', 'other'],
      encoding_format: 'float',
    });
    expect(batch.data.map((item) => item.index)).toEqual([0, 1]);
    // Same text, same vector, whichever encoding carried it; other text, another vector.
    expect(batch.data[0]?.embedding).toEqual(single.data[0]?.embedding);
    expect(batch.data[1]?.embedding).not.toEqual(single.data[0]?.embedding);

    const small = await client.embeddings.create({ model: 'text-embedding-3-small', input: [[1, 2, 3]], dimensions: 4 });
    expect(small.data[0]?.embedding).toHaveLength(4);
    expect(small.usage.prompt_tokens).toBe(3);
  });

  it('lists the configured models and retrieves one', async () => {
    const { client } = await mockWithClient({ models: ['alpha', 'beta'] });
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['alpha', 'beta']);
    expect(await client.models.retrieve('beta')).toMatchObject({ id: 'beta', object: 'model', owned_by: 'mock-openai' });
    await expect(client.models.retrieve('gamma')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('failures and auth', () => {
  it('answers unknown paths with a 404 in OpenAI error shape', async () => {
    const { mock } = await mockWithClient();
    const response = await fetch(`${mock.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.any(String) } });
  });

  it('requires the configured bearer key', async () => {
    const { mock } = await mockWithClient({ apiKey: 'sk-upstream' });
    const wrong = new OpenAI({ baseURL: mock.url, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const right = new OpenAI({ baseURL: mock.url, apiKey: 'sk-upstream', maxRetries: 0 });
    expect((await right.models.list()).data.length).toBeGreaterThan(0);
  });

  it('fails every request with failWith until setFailure(null)', async () => {
    const { mock, client } = await mockWithClient({ failWith: { status: 503 } });
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toMatchObject({ status: 503 });
    mock.setFailure({ status: 429, body: { error: { message: 'slow down', type: 'requests', code: null, param: null } } });
    await expect(client.models.list()).rejects.toMatchObject({ status: 429, message: expect.stringContaining('slow down') });
    mock.setFailure(null);
    await expect(client.chat.completions.create({ model: 'm', messages })).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('waits delayMs before answering', async () => {
    const { client } = await mockWithClient({ delayMs: 150 });
    const startedAt = performance.now();
    await client.models.list();
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
  });
});

describe('stream pacing and aborts', () => {
  it('delivers the first chunk long before the last when chunkIntervalMs is 100', async () => {
    const { client } = await mockWithClient({ chunkIntervalMs: 100, chunks: 5 });
    const startedAt = performance.now();
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) arrivals.push(performance.now() - startedAt);
    }
    expect(arrivals).toHaveLength(5);
    // Relative, not absolute: on a loaded runner the first chunk took 145 ms; it must still come
    // well before the last, which the four 100 ms intervals hold back.
    const spread = (arrivals[4] ?? 0) - (arrivals[0] ?? 0);
    expect(spread).toBeGreaterThanOrEqual(350);
    expect(arrivals[0]).toBeLessThan(spread);
  });

  it('counts a client that disconnects mid-stream as aborted', async () => {
    const { mock, client } = await mockWithClient({ chunkIntervalMs: 50, chunks: 40 });
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++received === 2) break; // breaking aborts the request
    }
    await waitFor(() => mock.aborted === 1);
    expect(mock.aborted).toBe(1);
  });

  it('does not count a stream that ran to completion as aborted', async () => {
    const { mock, client } = await mockWithClient();
    const stream = await client.responses.create({ model: 'm', input: 'Hi', stream: true });
    for await (const event of stream) void event;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(mock.aborted).toBe(0);
  });
});
