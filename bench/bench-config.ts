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
  /** Tollgate target: keys seeded into its database, all of them warmed into its key cache. */
  tollgateKeys: number;
  /** Tollgate target: TOLLGATE_LOG_LEVEL (the product default, info, logs every request). */
  tollgateLogLevel: string;
  /** Tollgate target: extra node flags, e.g. `--max-old-space-size=160` (default none: V8's own heap sizing). */
  tollgateNodeArgs: readonly string[];
  /** Use dist/ as it is instead of running `tsc -p tsconfig.build.json` first. */
  skipBuild: boolean;
  /** Key lookups at scale: run it at all (BENCH_KEY_SCALE=0 skips it). */
  keyScale: boolean;
  /** Keys in the database for the key-lookup benchmark. */
  keyScaleSizes: readonly number[];
  /** Length of each key-lookup measurement. */
  keyScaleDurationS: number;
  /**
   * PostgreSQL for the key-lookup and listing benchmarks (a schema of its own, dropped afterwards; unset:
   * skipped), and for the soak and the tollgate-pg-redis target (unset: a server of their own).
   */
  databaseUrl: string | undefined;
  /** Redis for the soak and the tollgate-pg-redis target (unset: a server of their own). */
  redisUrl: string | undefined;
  /** Soak (BENCH_TARGETS=soak): its length in minutes and its fixed total rate. */
  soakMinutes: number;
  soakRate: number;
  /** Profiling run (bench/profile-tollgate.ts): seconds of load while the profiler samples, and its connections. */
  profileDurationS: number;
  profileConnections: number;
  /** `tollgate` (SQLite, one node) or `tollgate-pg-redis` (the loaded node of two). */
  profileTarget: 'tollgate' | 'tollgate-pg-redis';
  /** Listings at scale (bench/listing/, PostgreSQL only): keys and usage records seeded, requests per case. */
  listingKeys: number;
  listingUsageRecords: number;
  listingRequests: number;
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
    tollgateKeys: number(env, 'BENCH_TOLLGATE_KEYS', quick ? 10_000 : 100_000),
    tollgateLogLevel: env.BENCH_TOLLGATE_LOG_LEVEL?.trim() || 'info',
    tollgateNodeArgs: Object.freeze((env.BENCH_TOLLGATE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)),
    skipBuild: env.BENCH_SKIP_BUILD === '1' || env.BENCH_SKIP_BUILD === 'true',
    keyScale: env.BENCH_KEY_SCALE !== '0' && env.BENCH_KEY_SCALE !== 'false',
    keyScaleSizes: Object.freeze(numberList(env, 'BENCH_KEY_SCALE_SIZES', quick ? [1_000, 100_000] : [1_000, 1_000_000])),
    keyScaleDurationS: number(env, 'BENCH_KEY_SCALE_DURATION_S', quick ? 0.5 : 2),
    databaseUrl: env.BENCH_DATABASE_URL?.trim() || undefined,
    // BENCH_SOAK_REDIS_URL is the older name, from when the soak was the only part that used Redis.
    redisUrl: env.BENCH_REDIS_URL?.trim() || env.BENCH_SOAK_REDIS_URL?.trim() || undefined,
    soakMinutes: number(env, 'BENCH_SOAK_MINUTES', quick ? 1 : 30),
    soakRate: number(env, 'BENCH_SOAK_RATE', 100),
    profileDurationS: number(env, 'BENCH_PROFILE_DURATION_S', quick ? 5 : 20),
    profileConnections: number(env, 'BENCH_PROFILE_CONNECTIONS', 16),
    profileTarget: profileTarget(env.BENCH_PROFILE_TARGET),
    listingKeys: number(env, 'BENCH_LISTING_KEYS', quick ? 100_000 : 1_000_000),
    listingUsageRecords: number(env, 'BENCH_LISTING_USAGE_RECORDS', quick ? 1_000_000 : 10_000_000),
    listingRequests: number(env, 'BENCH_LISTING_REQUESTS', quick ? 50 : 200),
  });
}

function numberList(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const values = raw.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) throw new Error(`${name} must be a comma-separated list of positive integers, got "${raw}"`);
  return values;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function profileTarget(value: string | undefined): BenchConfig['profileTarget'] {
  const name = value?.trim() || 'tollgate';
  if (name !== 'tollgate' && name !== 'tollgate-pg-redis') throw new Error(`BENCH_PROFILE_TARGET must be tollgate or tollgate-pg-redis, not ${JSON.stringify(name)}`);
  return name;
}
