// The shape of bench/results/latest.json: raw runs, their medians, and the comparisons derived
// from them. Figures are milliseconds (`Ms`), requests per second (`reqPerS`) and megabytes (`Mb`).
import type { LoadScenario } from './load-scenarios.js';
import type { LoadSample } from './run-load.js';
import type { TtfbSample } from './measure-ttfb.js';

export interface MedianFigures {
  reqPerS: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ScenarioResult extends LoadScenario {
  runs: LoadSample[];
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
}
