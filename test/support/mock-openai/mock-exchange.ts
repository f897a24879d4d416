// What every endpoint handler of the mock receives: the parsed request, the response to write, the
// server's current settings, and a signal that fires when the client goes away so that delays and
// paced streams stop writing to a closed socket.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface MockSettings {
  delayMs: number;
  chunkIntervalMs: number;
  chunks: number;
  models: readonly string[];
}

export interface MockExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  settings: MockSettings;
  /** Aborted when the client disconnects before the response ends. */
  signal: AbortSignal;
  /** Called by streaming handlers when the client left before the stream finished. */
  countAbortedStream(): void;
  /** Sequence number of this request, used to build deterministic ids. */
  sequence: number;
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const payload = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Reads a JSON object field without trusting the body's shape. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}
