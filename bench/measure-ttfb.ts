// Streaming time to first byte: sequential streamed chat completions, each timed from sending the
// request to the first body byte (the first SSE event), then read to the end so the stream completes
// normally. Sequential on one keep-alive connection, so queueing never enters the figure.
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

export async function measureTtfb({ url, headers, requests }: TtfbOptions): Promise<TtfbSample> {
  const base = new URL(url);
  const pool = new Pool(base.origin, { connections: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const times: number[] = [];
  let failures = 0;
  try {
    for (let i = 0; i < requests; i++) {
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
      if (response.statusCode === 200 && firstByteAt !== undefined) times.push(firstByteAt - startedAt);
      else failures++;
    }
  } finally {
    await pool.close();
  }
  return { requests: times.length, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), failures };
}
