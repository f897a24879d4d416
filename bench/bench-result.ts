// The shape of bench/results/latest.json: raw runs, their medians, and the comparisons derived
// from them. Figures are milliseconds (`Ms`), requests per second (`reqPerS`) and megabytes (`Mb`).
import type { CpuFigures } from './cpu-meter.js';
import type { LoadScenario } from './load-scenarios.js';
import type { LoadSample } from './run-load.js';
import type { TtfbSample } from './measure-ttfb.js';
import type { VerificationRun } from './keys/measure-verifications.js';

export type MeasuredRun = LoadSample & CpuFigures;

export interface MedianFigures extends CpuFigures {
  reqPerS: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ScenarioResult extends LoadScenario {
  runs: MeasuredRun[];
  median: MedianFigures;
}

export interface TtfbResult {
  runs: TtfbSample[];
  p50Ms: number;
  p99Ms: number;
}

export interface TargetResult {
  name: string;
  scenarios: ScenarioResult[];
  ttfb?: TtfbResult;
  peakRssMb?: number;
  /** Set when the target failed part-way; its figures are then partial. */
  error?: string;
}

export interface AddedLatency {
  p50Ms: number;
  p99Ms: number;
}

export interface TargetComparison {
  name: string;
  /** Latency over direct at each connection count, by scenario id (c1, c64). */
  added: Record<string, AddedLatency>;
  addedTtfbMs?: number;
  /** req/s of this target ÷ req/s of the floor, by scenario id. */
  vsNodeFloor: Record<string, number>;
  vsNginx: Record<string, number>;
  /**
   * The floor's CPU time per request ÷ this target's, by scenario id: the share of the floor's
   * throughput this target would reach on a CPU of its own, whatever the load generator managed.
   */
  capacityVsNodeFloor: Record<string, number>;
  capacityVsNginx: Record<string, number>;
}

export interface GoalCheck {
  name: string;
  goal: string;
  value: string;
  met: boolean | undefined;
}

export interface BenchMeta {
  date: string;
  quick: boolean;
  node: string;
  cpuModel: string;
  cpus: number;
  kernel: string;
  pinning: string;
  nginxVersion?: string;
  durationS: number;
  repeats: number;
  warmupS: number;
  ttfbRequests: number;
  upstreamDelayMs: number;
  sseChunks: number;
  sseChunkIntervalMs: number;
  elapsedS: number;
}

export interface BenchReport {
  meta: BenchMeta;
  targets: TargetResult[];
  comparisons: TargetComparison[];
  goals: GoalCheck[];
  skipped: { name: string; reason: string }[];
  /** Key lookups at scale (issue #6 item 4), when run. */
  keyScale?: KeyScaleReport;
  /** Key listings and the usage chart at scale (issue 12 item 4), when run. */
  listingScale?: ListingScaleReport;
}

export interface ListingScaleCase {
  name: string;
  path: string;
  requests: number;
  /** Rows in the last answer. */
  rows: number;
  p50Ms: number;
  p95Ms: number;
}

export interface ListingScaleReport {
  method: string;
  seeding?: { keys: number; usageRecords: number; rollupRows: number; seconds: number; description?: string };
  cases: ListingScaleCase[];
  skipped: string[];
  error?: string;
}

/** One key-verification measurement: a database, a table size, warm cache or a miss every time. */
export interface KeyScaleCase {
  database: 'sqlite' | 'postgres';
  keys: number;
  cache: 'warm' | 'miss';
  concurrency: number;
  runs: VerificationRun[];
  /** Medians over the runs. */
  median: { perS: number; meanUs: number; p50Us: number; p99Us: number; otherCpuPct?: number };
}

export interface KeyScaleSeeding {
  database: 'sqlite' | 'postgres';
  description: string;
  keys: number;
  seconds: number;
}

export interface KeyScaleReport {
  /** How the measured path was driven, for the report. */
  method: string;
  seeding: KeyScaleSeeding[];
  cases: KeyScaleCase[];
  skipped: string[];
  /** Mean cost of one verification (one in flight) at the largest table ÷ at the smallest. */
  flatness: { database: 'sqlite' | 'postgres'; cache: 'warm' | 'miss'; fromKeys: number; toKeys: number; ratio: number }[];
  error?: string;
}
