// The benchmark's settings, read once from the environment (the harness's only reader of it) into a
// frozen object. BENCH_QUICK=1 shrinks everything so the harness itself can be checked in seconds.
import { join } from 'node:path';

export interface BenchConfig {
  quick: boolean;
  /** Length of each measured load run. */
  durationS: number;
  /** Each measurement is repeated this many times and the median reported. */
  repeats: number;
  /** Load applied after a target starts and before measuring, so the JIT and pools are warm. */
  warmupS: number;
  connections: readonly number[];
  /** The fixed-rate run: requests per second spread over `rateConnections` connections. */
  ratePerS: number;
  rateConnections: number;
  /** Delay of the "fixed delay" upstream used by the fixed-rate run. */
  upstreamDelayMs: number;
  /** Streaming upstream: content chunks per stream and the pause between them. */
  sseChunks: number;
  sseChunkIntervalMs: number;
  /** Sequential streamed requests per time-to-first-byte measurement. */
  ttfbRequests: number;
  /** Only run targets whose name is listed (empty: all). */
  targetNames: readonly string[];
  /** The run is killed (children stopped) after this long, whatever happens. */
  maxMinutes: number;
  resultsDir: string;
  benchmarksDoc: string;
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  return Object.freeze({
    quick,
    durationS: number(env, 'BENCH_DURATION_S', quick ? 2 : 10),
    repeats: number(env, 'BENCH_REPEATS', quick ? 1 : 3),
    warmupS: number(env, 'BENCH_WARMUP_S', quick ? 1 : 3),
    connections: Object.freeze([1, 16, 64]),
    ratePerS: number(env, 'BENCH_RATE', 1000),
    rateConnections: number(env, 'BENCH_RATE_CONNECTIONS', 32),
    upstreamDelayMs: number(env, 'BENCH_UPSTREAM_DELAY_MS', 10),
    sseChunks: number(env, 'BENCH_SSE_CHUNKS', 5),
    sseChunkIntervalMs: number(env, 'BENCH_SSE_CHUNK_INTERVAL_MS', 5),
    ttfbRequests: number(env, 'BENCH_TTFB_REQUESTS', quick ? 40 : 200),
    targetNames: Object.freeze((env.BENCH_TARGETS ?? '').split(',').map((name) => name.trim()).filter(Boolean)),
    maxMinutes: number(env, 'BENCH_MAX_MINUTES', 30),
    resultsDir: join(root, 'bench', 'results'),
    benchmarksDoc: join(root, 'BENCHMARKS.md'),
  });
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}
