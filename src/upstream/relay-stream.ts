// Relays an upstream's server-sent events to the client one event at a time, as each completes —
// never buffering the stream (SPEC §4). On the way it reads the usage (chat's final usage chunk,
// or a Responses terminal event) and drops the usage-only chunk the gateway asked for when the
// client did not (SPEC §6). A stream that ends without usage (the client went away, the upstream
// failed) is charged for its input estimate — the upstream answered, so it read the prompt — plus
// every kind of delta it delivered (text, tool calls, reasoning). An upstream event larger than
// MAX_SSE_EVENT_CHARS ends the stream with upstream_error and aborts the upstream. A slow client
// applies backpressure to the upstream; a client that goes away aborts the upstream request; an
// upstream that goes quiet for too long ends the stream with an error event the OpenAI SDKs raise.
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { ERROR_CODES } from '../core/errors.js';
import { SseSplitter } from '../core/sse-events.js';
import { deliveredTextOf, estimateDeliveredTokens, isUsageOnlyChunk, usageOfStreamEvent, type TokenUsage } from '../core/token-usage.js';
import type { CallCancel } from './call-cancel.js';
import { classifyUpstreamError } from './upstream-client.js';

export interface RelayOptions {
  upstream: Readable;
  reply: FastifyReply;
  /** Aborted when the client disconnects. */
  signal: CallCancel;
  stripUsageChunk: boolean;
  /** The request's input estimate: charged, with what was delivered, whenever no usage arrives. */
  estimatedInputTokens: number;
  /** Called once when the stream is over, however it ended. */
  onEnd(result: { outcome: 'ok' | 'failed' | 'aborted'; usage: TokenUsage | null; timedOut: boolean }): Promise<unknown>;
}

function parseData(data: string | undefined): unknown {
  if (data === undefined || data === '[DONE]') return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

function errorEvent(code: 'upstream_timeout' | 'upstream_error'): string {
  const error = { message: ERROR_CODES[code].message, type: 'api_error', code, param: null };
  return `data: ${JSON.stringify({ error })}\n\n`;
}

/** Starts the response (status 200, text/event-stream) and relays in the background. */
export function relayStream(options: RelayOptions): void {
  const { reply } = options;
  const out = new PassThrough();
  reply
    .status(200)
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    // Tells nginx (and look-alikes) in front of Tollgate not to buffer the stream either.
    .header('x-accel-buffering', 'no');
  void reply.send(out);
  void pump(options, out);
}

async function pump(options: RelayOptions, out: PassThrough): Promise<void> {
  const { upstream, signal } = options;
  const splitter = new SseSplitter();
  let usage: TokenUsage | null = null;
  // What reached the client, so a stream cut short is charged for what was delivered (SPEC §6).
  const delivered: string[] = [];
  let outcome: 'ok' | 'failed' | 'aborted' = 'ok';
  let timedOut = false;
  const write = async (text: string) => {
    if (out.destroyed || signal.aborted) return;
    if (!out.write(text)) await signal.drained(out);
  };
  try {
    for await (const chunk of upstream as AsyncIterable<Buffer>) {
      for (const event of splitter.push(chunk)) {
        const payload = parseData(event.data);
        usage = usageOfStreamEvent(payload) ?? usage;
        if (options.stripUsageChunk && isUsageOnlyChunk(payload)) continue;
        await write(event.raw);
        if (!signal.aborted) delivered.push(deliveredTextOf(payload));
      }
    }
    const rest = splitter.rest();
    if (rest.trim().length > 0) await write(rest);
  } catch (error) {
    const failure = classifyUpstreamError(error, signal);
    outcome = failure === 'aborted' ? 'aborted' : 'failed';
    timedOut = failure === 'timeout';
    if (outcome === 'failed') await write(errorEvent(timedOut ? 'upstream_timeout' : 'upstream_error')).catch(() => {});
    upstream.destroy();
  } finally {
    if (signal.aborted && outcome === 'ok') outcome = 'aborted';
    if (!out.destroyed) out.end();
    usage ??= { inputTokens: options.estimatedInputTokens, outputTokens: estimateDeliveredTokens(delivered) };
    await options.onEnd({ outcome, usage, timedOut });
  }
}
