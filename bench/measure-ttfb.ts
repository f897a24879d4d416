// Streaming time to first byte: sequential streamed chat completions, each timed from sending the
// request to the first body byte (the first SSE event), then read to the end so the stream completes
// normally. Sequential on one keep-alive connection, so queueing never enters the figure.
//
// Before it, `warmStreams` streams for the same warm-up time the load runs get, over a few
// connections: a target restarted for the streaming upstream has run none of its streaming code yet,
// and 20 streams leave a large program in V8's interpreter, so the figure would be the JIT's warm-up
// rather than the gateway's cost (seen as 1.1–2 ms before the upstream call on the first 40 streams,
// against 0.3 ms for the same work in the warm load runs).
import { Pool } from 'undici';
import { percentile } from './percentile.js';

export interface TtfbOptions {
  url: string;
  headers: Record<string, string>;
  requests: number;
}

export interface TtfbSample {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

const STREAM_BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Stream a short answer.' }],
  stream: true,
});

/** One streamed completion read to its end: its time to first byte, or undefined when it failed. */
async function streamOnce(pool: Pool, base: URL, headers: Record<string, string>): Promise<number | undefined> {
  const startedAt = performance.now();
  const response = await pool.request({
    method: 'POST',
    path: `${base.pathname}/chat/completions`,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: STREAM_BODY,
  });
  let firstByteAt: number | undefined;
  for await (const chunk of response.body) {
    firstByteAt ??= (chunk as Buffer).length > 0 ? performance.now() : undefined;
  }
  return response.statusCode === 200 && firstByteAt !== undefined ? firstByteAt - startedAt : undefined;
}

export async function measureTtfb({ url, headers, requests }: TtfbOptions): Promise<TtfbSample> {
  const base = new URL(url);
  const pool = new Pool(base.origin, { connections: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const times: number[] = [];
  let failures = 0;
  try {
    for (let i = 0; i < requests; i++) {
      const ttfbMs = await streamOnce(pool, base, headers);
      if (ttfbMs === undefined) failures++;
      else times.push(ttfbMs);
    }
  } finally {
    await pool.close();
  }
  return { requests: times.length, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), failures };
}

export interface WarmStreamsOptions {
  url: string;
  headers: Record<string, string>;
  seconds: number;
  connections: number;
  /** A bound on the streams, whatever the time (default 5,000). */
  maxRequests?: number;
}

/** Streams over `connections` connections until `seconds` have passed; counts what it sent and what failed. */
export async function warmStreams({ url, headers, seconds, connections, maxRequests = 5_000 }: WarmStreamsOptions): Promise<{ requests: number; failures: number }> {
  const base = new URL(url);
  const pool = new Pool(base.origin, { connections, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const deadline = performance.now() + seconds * 1000;
  let requests = 0;
  let failures = 0;
  const worker = async () => {
    while (requests < maxRequests && performance.now() < deadline) {
      requests++;
      if ((await streamOnce(pool, base, headers).catch(() => undefined)) === undefined) failures++;
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await pool.close();
  }
  return { requests, failures };
}
