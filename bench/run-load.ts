// One load run with autocannon against a target's chat completions endpoint. autocannon's own
// histogram keeps whole milliseconds, too coarse for sub-millisecond overheads, so latencies are
// taken from its per-response event (fractional ms from process.hrtime) and ranked here.
import autocannon from 'autocannon';
import { percentile } from './percentile.js';

export interface LoadRunOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationS: number;
  /** Fixed total request rate; unset means as fast as the connections allow. */
  overallRate?: number;
}

export interface LoadSample {
  requests: number;
  reqPerS: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

// Bounds memory: at most this many latencies are kept (a few MB), enough for stable p99s.
const MAX_SAMPLES = 2_000_000;

export async function runLoad(options: LoadRunOptions): Promise<LoadSample> {
  const latencies = new Float64Array(MAX_SAMPLES);
  let count = 0;
  const instance = autocannon({
    url: `${options.url}/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body,
    connections: options.connections,
    duration: options.durationS,
    timeout: 10,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300 && count < MAX_SAMPLES) latencies[count++] = responseTimeMs;
  });
  const result = await instance;
  const samples = latencies.subarray(0, count);
  return {
    requests: count,
    reqPerS: count / result.duration,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
