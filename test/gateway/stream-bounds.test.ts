// Streams through Tollgate over real sockets against upstreams of the test's own: an upstream that
// never ends an SSE event cannot grow the relay's memory (issue 9 item 4), and a stream of tool-call
// deltas the client cuts short is still charged — its input and what it delivered (item 6).
import { afterEach, describe, expect, it } from 'vitest';
import { setPrice } from '../credits/credit-fixtures.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';
import { startScriptedSseUpstream, type ScriptedSseUpstream } from '../support/scripted-sse-upstream.js';

const MiB = 1024 * 1024;

describe('streams that stay bounded and are always charged', () => {
  let f: GatewayFixture | undefined;
  let upstream: ScriptedSseUpstream | undefined;
  afterEach(async () => {
    await f?.close();
    await upstream?.close();
    f = undefined;
    upstream = undefined;
  });

  async function gatewayInFrontOf(script: Parameters<typeof startScriptedSseUpstream>[0]) {
    upstream = await startScriptedSseUpstream(script);
    f = await startGatewayFixture({
      config: {
        providers: [{ id: 'scripted', type: 'openai', base_url: upstream.url }],
        aliases: [{ name: 'scripted-chat', strategy: 'fallback', targets: [{ provider: 'scripted', model: 'gpt-4o-mini' }] }],
      },
    });
    await setPrice(f.gw.services, 'scripted-chat', { input: 1_000_000, output: 1_000_000 }); // 1 credit per token
    const accountId = (await f.gw.services.storage.apiKeys.findById(f.keyId))!.accountId;
    await f.gw.services.credits.ledger.grant({ accountId, amount: 100_000, reason: 'test', actorId: null, requestId: null });
    return { baseUrl: await f.listen(), accountId };
  }

  it('ends a stream whose upstream never finishes an event with upstream_error, aborting the upstream and settling the hold', async () => {
    // 64 KiB of one `data:` line at a time, never a blank line, for up to 8 MiB.
    const { baseUrl, accountId } = await gatewayInFrontOf(async (write) => {
      if (!(await write('data: '))) return;
      for (let sent = 0; sent < 8 * MiB; sent += 64 * 1024) if (!(await write('x'.repeat(64 * 1024)))) return;
    });
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f!.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'scripted-chat', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('"code":"upstream_error"');
    // Nothing of the oversized event reaches the client, and the upstream was cut off early.
    expect(body.length).toBeLessThan(4096);
    expect(await waitFor(() => upstream!.aborted === 1, 3_000)).toBe(true);
    expect(upstream!.written).toBeLessThan(4 * MiB);
    expect(await waitFor(async () => (await f!.gw.services.credits.ledger.balance(accountId)).reserved === 0, 3_000)).toBe(true);
    expect(await f!.gw.services.storage.credits.listReservations(accountId)).toEqual([]);
  });

  it('charges a client-aborted stream of tool-call deltas for its input and the deltas it delivered', async () => {
    const { baseUrl, accountId } = await gatewayInFrontOf(async (write) => {
      const chunk = (delta: object) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
      if (!(await write(chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }] })))) return;
      for (let i = 0; i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 40));
        if (!(await write(chunk({ tool_calls: [{ index: 0, function: { arguments: `{"part":${i}` } }] })))) return;
      }
    });
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { authorization: `Bearer ${f!.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'scripted-chat', stream: true, max_tokens: 500, messages: [{ role: 'user', content: 'Look something up for me, please.' }] }),
    });
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/"arguments":"\{/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    await reader.cancel().catch(() => {});
    expect(await waitFor(async () => (await f!.gw.services.credits.ledger.balance(accountId)).reserved === 0, 3_000)).toBe(true);
    const charged = 100_000 - (await f!.gw.services.credits.ledger.balance(accountId)).balance;
    await f!.gw.services.gateway.usage.flush();
    const [record] = await f!.gw.services.storage.usage.findByRequestId(requestId);
    expect(record).toMatchObject({ outcome: 'aborted', credits: charged });
    expect(record!.inputTokens).toBeGreaterThan(0);
    expect(record!.outputTokens).toBeGreaterThanOrEqual(3);
    expect(charged).toBe(record!.inputTokens + record!.outputTokens);
  });
});
