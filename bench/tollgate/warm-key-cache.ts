// Puts many distinct keys into the running Tollgate's key cache the way traffic would: one
// GET /v1/models per key (a data-plane request that verifies the key, is rate-limited and metered,
// at no credit cost), over a few keep-alive connections. Bounded in time; fails loudly when keys
// are refused, since a cache "warmed" with refusals would measure nothing.
import { Pool } from 'undici';

export interface WarmResult {
  keys: number;
  failures: number;
  seconds: number;
}

export async function warmKeyCache(url: string, keys: readonly string[], options: { connections?: number; timeLimitS?: number } = {}): Promise<WarmResult> {
  const base = new URL(url);
  const path = `${base.pathname.replace(/\/$/, '')}/models`;
  const connections = options.connections ?? 16;
  const deadline = performance.now() + (options.timeLimitS ?? 300) * 1000;
  const pool = new Pool(base.origin, { connections, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const started = performance.now();
  let next = 0;
  let failures = 0;
  let firstFailure = '';
  const worker = async () => {
    while (next < keys.length && performance.now() < deadline) {
      const key = keys[next++]!;
      try {
        const response = await pool.request({ path, method: 'GET', headers: { authorization: `Bearer ${key}` } });
        const body = await response.body.text();
        if (response.statusCode !== 200) {
          failures++;
          firstFailure ||= `${response.statusCode} ${body.slice(0, 200)}`;
        }
      } catch (error) {
        failures++;
        firstFailure ||= String(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await pool.close();
  }
  const done = Math.min(next, keys.length);
  if (done < keys.length) throw new Error(`warming the key cache took longer than ${options.timeLimitS ?? 300} s (${done} of ${keys.length} keys)`);
  if (failures > 0) throw new Error(`${failures} of ${keys.length} warm-up requests failed, first: ${firstFailure}`);
  return { keys: done, failures, seconds: (performance.now() - started) / 1000 };
}
