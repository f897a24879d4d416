// Upstreams that misbehave mid-answer (issue 14, failures survived), through a real socket: a reset
// before any header or halfway through a body is a clear 502, a body that stops arriving is a 504, a
// stream cut by its upstream ends with an error event, and a client that stops reading a long stream
// holds back the upstream instead of growing Tollgate's memory. After each one the credit hold is
// released (ledger sum = balance) and the account's single concurrency slot is free again.
// Already covered elsewhere and not repeated here: connect errors, 5xx and fallback, 504 before headers
// and a stream gone quiet (test/upstream/upstream-failures.test.ts), an event that never ends and a
// client abort (test/gateway/stream-bounds.test.ts), a client that sends its body slowly
// (test/http/request-timeouts.test.ts).
import { connect } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoReservationLeft } from '../credits/credit-fixtures.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';

const MiB = 1024 * 1024;
const MODES = ['reset-early', 'reset-mid', 'slow-body', 'stream-reset', 'firehose'] as const;
type Mode = (typeof MODES)[number];
const chunk = (text: string) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

/** An upstream whose model name says how it fails; it counts what it wrote and the answers cut short. */
function faultyUpstream() {
  const state = { written: 0, aborted: 0 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const mode = (JSON.parse(raw) as { model: Mode }).model;
      res.once('close', () => !res.writableFinished && (state.aborted += 1));
      if (mode === 'reset-early') return req.socket.destroy();
      if (mode === 'reset-mid' || mode === 'slow-body') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
        res.write('{"id":"chatcmpl-1","object":"chat.completion","choices":[');
        if (mode === 'reset-mid') setTimeout(() => req.socket.destroy(), 20);
        return; // slow-body: the rest never comes
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (mode === 'stream-reset') {
        res.write(chunk('Hello'));
        return setTimeout(() => req.socket.destroy(), 20);
      }
      // firehose: valid events as fast as the gateway takes them, until it goes away.
      const pump = () => {
        while (!res.destroyed) {
          const event = chunk('x'.repeat(1000));
          state.written += event.length;
          if (!res.write(event)) return void res.once('drain', pump);
        }
      };
      pump();
    });
  });
  return { server, state };
}

describe('upstream failures mid-answer leave nothing held', () => {
  let f: GatewayFixture;
  let upstream: ReturnType<typeof faultyUpstream>;
  let accountId: string;
  let port: number;
  beforeAll(async () => {
    upstream = faultyUpstream();
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/v1`;
    const price = { input_per_mtok: 1_000_000, output_per_mtok: 1_000_000, per_request: 0, max_output_tokens: 20 };
    f = await startGatewayFixture({
      config: {
        providers: [{ id: 'faulty', type: 'openai', base_url: base }],
        aliases: MODES.map((mode) => ({ name: mode, strategy: 'fallback', targets: [{ provider: 'faulty', model: mode }] })),
        // The firehose is free: an upstream that ignores the output cap is charged for all it delivered,
        // below zero if need be (SPEC §6), which would exhaust the account this test reuses.
        prices: [...MODES.filter((mode) => mode !== 'firehose'), 'chat-default'].map((model) => ({ model, ...price })),
        pricing: { unpriced: 'free' },
        upstream: { first_byte_timeout_ms: 500, idle_timeout_ms: 300 },
      },
    });
    accountId = (await f.gw.services.storage.apiKeys.findById(f.keyId))!.accountId;
    await f.gw.services.credits.ledger.grant({ accountId, amount: 100_000, reason: 'test', actorId: null, requestId: null });
    await f.gw.services.credits.limits.update(accountId, { concurrency: 1 });
    port = Number(new URL(await f.listen()).port);
  });
  afterAll(async () => {
    await f?.close();
    upstream?.server.closeAllConnections();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  const call = (model: string, stream = false) =>
    fetch(`${f.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
    });

  /** The hold is gone, the ledger adds up, and the account's one concurrency slot admits a new call. */
  async function expectNothingHeld(): Promise<void> {
    expect(await waitFor(async () => (await expectNoReservationLeft(f.gw.services, accountId)).reservations === 0, 5_000)).toBe(true);
    const money = await expectNoReservationLeft(f.gw.services, accountId);
    expect(money).toMatchObject({ reserved: 0, ledgerSum: money.balance });
    // The slot is given back when the aborted answer's cleanup runs, which may end after the hold
    // (a free model holds no credits at all): a new call is admitted within the bound, not at once.
    expect(await waitFor(async () => (await call('chat-default')).status === 200, 5_000, 50)).toBe(true);
  }

  it.each([
    ['reset-early', 502, 'upstream_error'],
    ['reset-mid', 502, 'upstream_error'],
    ['slow-body', 504, 'upstream_timeout'],
  ])('answers a %s upstream with %i %s', async (model, status, code) => {
    const response = await call(model);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    await expectNothingHeld();
  });

  it('ends a stream its upstream resets with an error event after what was delivered', async () => {
    const response = await call('stream-reset', true);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('Hello');
    expect(text).toContain('"code":"upstream_error"');
    await expectNothingHeld();
  });

  it('holds back the upstream while a client does not read, and lets go when it leaves', async () => {
    const body = JSON.stringify({ model: 'firehose', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const socket = connect(port, '127.0.0.1');
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${f.key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.pause(); // never reads a byte
    expect(await waitFor(() => upstream.state.written > 0, 5_000)).toBe(true);
    // Backpressure reaches the upstream: once the socket buffers on both sides are full (a few MiB on
    // loopback), it cannot write more, instead of being drained into Tollgate's memory.
    let before = -1;
    const plateau = await waitFor(async () => {
      const seen = upstream.state.written;
      await sleep(500);
      const flat = seen === before && seen === upstream.state.written;
      before = seen;
      return flat;
    }, 8_000, 0);
    expect(plateau).toBe(true);
    expect(upstream.state.written).toBeLessThan(32 * MiB);
    socket.destroy();
    expect(await waitFor(() => upstream.state.aborted >= 1, 5_000)).toBe(true);
    await expectNothingHeld();
  });
});
