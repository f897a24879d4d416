// Server-sent events (WHATWG HTML §9.2) written one event per `write`, with no buffering, so that
// a proxy under test sees each chunk at the moment the mock sends it. Counts the stream as aborted
// when the client disconnects before `end` (the response's 'close' event arrives first).
import type { MockExchange } from './mock-exchange.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SseStream {
  /** Writes `event:` (when given) and `data:` lines; returns false once the client is gone. */
  send(data: unknown, event?: string): boolean;
  /** Waits `ms` (if positive); resolves false if the client left meanwhile. */
  pause(ms: number): Promise<boolean>;
  end(): void;
}

export function startSse(exchange: MockExchange): SseStream {
  const { res, signal } = exchange;
  res.once('close', function countEarlyClose() {
    if (!res.writableFinished) exchange.countAbortedStream();
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();

  return {
    send(data, event) {
      if (signal.aborted || res.destroyed) return false;
      const payload = typeof data === 'string' ? data : JSON.stringify(data);
      res.write(event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`);
      return true;
    },
    async pause(ms) {
      if (ms > 0) {
        try {
          await sleep(ms, undefined, { signal });
        } catch {
          return false;
        }
      }
      return !signal.aborted;
    },
    end() {
      if (!signal.aborted) res.end();
    },
  };
}
