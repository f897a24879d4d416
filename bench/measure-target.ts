// Measures one target: for each upstream it needs (zero delay, fixed delay, streaming) it starts the
// target in front of it, warms it up, runs every scenario of that upstream `repeats` times (runs of
// a repeat back to back, so slow drift spreads over all scenarios), reads peak RSS, and stops it. At
// the end the target releases what its starts shared (`finish`).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchConfig } from './bench-config.js';
import type { MeasuredRun, MedianFigures, ScenarioResult, TargetResult, TtfbResult } from './bench-result.js';
import type { BenchTarget, RunningTarget, TargetContext } from './bench-target.js';
import { startCpuMeter, type CpuFigures } from './cpu-meter.js';
import type { CpuPlan } from './cpu-plan.js';
import { LOAD_BODY, type LoadScenario } from './load-scenarios.js';
import { measureTtfb, warmStreams } from './measure-ttfb.js';
import type { UpstreamKind, UpstreamUrls } from './mock-upstreams.js';
import { readPeakRssMb } from './peak-rss.js';
import { median } from './percentile.js';
import { runLoad } from './run-load.js';
import { spawnPinned, type PinnedProcess } from './spawn-pinned.js';

export interface MeasureDeps {
  config: BenchConfig;
  plan: CpuPlan;
  upstreams: UpstreamUrls;
  /** The mock upstreams' process, whose CPU counts on the load side. */
  upstreamPid: number;
  scenarios: readonly LoadScenario[];
  runDir: string;
  log(line: string): void;
}

export async function measureTarget(target: BenchTarget, deps: MeasureDeps): Promise<TargetResult> {
  const result: TargetResult = { name: target.name, scenarios: [] };
  const workDir = join(deps.runDir, target.name);
  mkdirSync(workDir, { recursive: true });
  const peaks: number[] = [];
  try {
    for (const kind of ['zero', 'delayed'] as const) {
      const scenarios = deps.scenarios.filter((scenario) => scenario.upstream === kind);
      if (scenarios.length === 0) continue;
      await withTarget(target, kind, workDir, deps, peaks, async (running) => {
        result.scenarios.push(...(await measureScenarios(target.name, running, scenarios, deps)));
      });
    }
    await withTarget(target, 'sse', workDir, deps, peaks, async (running) => {
      result.ttfb = await measureTtfbRepeats(target.name, running, deps);
    });
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    deps.log(`  ${target.name} failed: ${result.error}`);
  } finally {
    // Said, not thrown: a schema left behind must not cost the figures already measured.
    await target.finish?.(workDir).catch((error: unknown) => deps.log(`  ${target.name}: could not clean up: ${error instanceof Error ? error.message : String(error)}`));
  }
  if (peaks.length > 0) result.peakRssMb = Math.max(...peaks);
  return result;
}

async function withTarget(
  target: BenchTarget,
  kind: UpstreamKind,
  workDir: string,
  deps: MeasureDeps,
  peaks: number[],
  body: (running: RunningTarget) => Promise<void>,
): Promise<void> {
  // Everything the target spawns is stopped here too, so a target that fails half-way through its
  // start cannot keep a CPU busy while the next target is measured.
  const spawned: PinnedProcess[] = [];
  const context: TargetContext = {
    upstreamUrl: deps.upstreams[kind],
    upstreamKind: kind,
    workDir,
    config: deps.config,
    log: deps.log,
    spawn(command, args, options) {
      const proc = spawnPinned(command, args, { plan: deps.plan, cpu: deps.plan.targetCpu, ...options });
      spawned.push(proc);
      return proc;
    },
  };
  try {
    const running = await target.start(context);
    try {
      await body(running);
      const peak = running.pid === undefined ? undefined : readPeakRssMb(running.pid);
      if (peak !== undefined) peaks.push(peak);
    } finally {
      await running.stop();
    }
  } finally {
    await Promise.all(spawned.map((proc) => proc.stop()));
  }
}

async function measureScenarios(
  name: string,
  running: RunningTarget,
  scenarios: readonly LoadScenario[],
  { config, log, upstreamPid }: MeasureDeps,
): Promise<ScenarioResult[]> {
  const request = { url: running.url, headers: running.headers, body: LOAD_BODY };
  const warm = await runLoad({ ...request, connections: 16, durationS: config.warmupS });
  log(`  ${name}: warmed up (${format(warm)})`);
  if (warm.non2xx + warm.errors > warm.requests) {
    // Measuring refusals (a wrong key, a rate limit left on) would report nonsense: stop here.
    throw new Error(`${name} answered ${warm.non2xx} non-2xx and ${warm.errors} errors for ${warm.requests} successes during warm-up; check its key and limits`);
  }
  const runs = new Map<string, MeasuredRun[]>(scenarios.map((scenario) => [scenario.id, []]));
  for (let repeat = 1; repeat <= config.repeats; repeat++) {
    for (const scenario of scenarios) {
      const meter = startCpuMeter(running.pid, upstreamPid);
      const load = await runLoad({
        ...request,
        connections: scenario.connections,
        durationS: config.durationS,
        ...(scenario.overallRate === undefined ? {} : { overallRate: scenario.overallRate }),
      });
      const run: MeasuredRun = { ...load, ...meter.stop(load.requests) };
      runs.get(scenario.id)?.push(run);
      log(`  ${name} ${scenario.id} run ${repeat}/${config.repeats}: ${format(run)}`);
    }
  }
  return scenarios.map((scenario) => {
    const samples = runs.get(scenario.id) ?? [];
    return { ...scenario, runs: samples, median: medians(samples) };
  });
}

function medians(runs: readonly MeasuredRun[]): MedianFigures {
  const of = (pick: (run: MeasuredRun) => number | undefined) => {
    const values = runs.map(pick).filter((value): value is number => value !== undefined);
    return values.length === 0 ? undefined : median(values);
  };
  const optional = (key: keyof CpuFigures) => {
    const value = of((run) => run[key]);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    reqPerS: of((run) => run.reqPerS) ?? Number.NaN,
    p50Ms: of((run) => run.p50Ms) ?? Number.NaN,
    p99Ms: of((run) => run.p99Ms) ?? Number.NaN,
    ...optional('targetCpuPct'),
    ...optional('targetCpuUsPerReq'),
    ...optional('loadCpuPct'),
    ...optional('otherCpuPct'),
  };
}

/** Connections of the streaming warm-up: enough streams in the load runs' warm-up time to make the code hot. */
const TTFB_WARM_CONNECTIONS = 8;

async function measureTtfbRepeats(name: string, running: RunningTarget, { config, log }: MeasureDeps): Promise<TtfbResult> {
  const warm = await warmStreams({ url: running.url, headers: running.headers, seconds: config.warmupS, connections: TTFB_WARM_CONNECTIONS });
  if (warm.failures * 2 > warm.requests) throw new Error(`${name} failed ${warm.failures} of its ${warm.requests} warm-up streams`);
  log(`  ${name}: warmed up for streaming (${warm.requests} streams in ${config.warmupS} s)`);
  const runs = [];
  for (let repeat = 1; repeat <= config.repeats; repeat++) {
    const sample = await measureTtfb({ url: running.url, headers: running.headers, requests: config.ttfbRequests });
    runs.push(sample);
    log(`  ${name} ttfb run ${repeat}/${config.repeats}: p50 ${sample.p50Ms.toFixed(3)} ms, p99 ${sample.p99Ms.toFixed(3)} ms` +
      (sample.failures > 0 ? `, ${sample.failures} failed` : ''));
  }
  return { runs, p50Ms: median(runs.map((r) => r.p50Ms)), p99Ms: median(runs.map((r) => r.p99Ms)) };
}

function format(run: MeasuredRun): string {
  const cpu = [
    run.targetCpuPct === undefined ? '' : `, target CPU ${Math.round(run.targetCpuPct)}%`,
    run.targetCpuUsPerReq === undefined ? '' : ` (${Math.round(run.targetCpuUsPerReq)} µs/req)`,
    run.loadCpuPct === undefined ? '' : `, load CPU ${Math.round(run.loadCpuPct)}%`,
    run.otherCpuPct === undefined || run.otherCpuPct < 10 ? '' : `, ⚠ other CPU ${Math.round(run.otherCpuPct)}%`,
  ].join('');
  const problems = run.non2xx + run.errors > 0 ? `, ${run.non2xx} non-2xx, ${run.errors} errors` : '';
  return `${Math.round(run.reqPerS)} req/s, p50 ${run.p50Ms.toFixed(3)} ms, p99 ${run.p99Ms.toFixed(3)} ms${cpu}${problems}`;
}
