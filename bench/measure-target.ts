// Measures one target: for each upstream it needs (zero delay, fixed delay, streaming) it starts the
// target in front of it, warms it up, runs every scenario of that upstream `repeats` times (runs of
// a repeat back to back, so slow drift spreads over all scenarios), reads peak RSS, and stops it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchConfig } from './bench-config.js';
import type { ScenarioResult, TargetResult, TtfbResult } from './bench-result.js';
import type { BenchTarget, RunningTarget, TargetContext } from './bench-target.js';
import type { CpuPlan } from './cpu-plan.js';
import { LOAD_BODY, type LoadScenario } from './load-scenarios.js';
import { measureTtfb } from './measure-ttfb.js';
import type { UpstreamKind, UpstreamUrls } from './mock-upstreams.js';
import { readPeakRssMb } from './peak-rss.js';
import { median } from './percentile.js';
import { runLoad, type LoadSample } from './run-load.js';
import { spawnPinned } from './spawn-pinned.js';

export interface MeasureDeps {
  config: BenchConfig;
  plan: CpuPlan;
  upstreams: UpstreamUrls;
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
  const context: TargetContext = {
    upstreamUrl: deps.upstreams[kind],
    upstreamKind: kind,
    workDir,
    spawn: (command, args, options) => spawnPinned(command, args, { plan: deps.plan, cpu: deps.plan.targetCpu, ...options }),
  };
  const running = await target.start(context);
  try {
    await body(running);
    const peak = running.pid === undefined ? undefined : readPeakRssMb(running.pid);
    if (peak !== undefined) peaks.push(peak);
  } finally {
    await running.stop();
  }
}

async function measureScenarios(
  name: string,
  running: RunningTarget,
  scenarios: readonly LoadScenario[],
  { config, log }: MeasureDeps,
): Promise<ScenarioResult[]> {
  const request = { url: running.url, headers: running.headers, body: LOAD_BODY };
  const warm = await runLoad({ ...request, connections: 16, durationS: config.warmupS });
  log(`  ${name}: warmed up (${format(warm)})`);
  const runs = new Map<string, LoadSample[]>(scenarios.map((scenario) => [scenario.id, []]));
  for (let repeat = 1; repeat <= config.repeats; repeat++) {
    for (const scenario of scenarios) {
      const sample = await runLoad({
        ...request,
        connections: scenario.connections,
        durationS: config.durationS,
        ...(scenario.overallRate === undefined ? {} : { overallRate: scenario.overallRate }),
      });
      runs.get(scenario.id)?.push(sample);
      log(`  ${name} ${scenario.id} run ${repeat}/${config.repeats}: ${format(sample)}`);
    }
  }
  return scenarios.map((scenario) => {
    const samples = runs.get(scenario.id) ?? [];
    return {
      ...scenario,
      runs: samples,
      median: {
        reqPerS: median(samples.map((s) => s.reqPerS)),
        p50Ms: median(samples.map((s) => s.p50Ms)),
        p99Ms: median(samples.map((s) => s.p99Ms)),
      },
    };
  });
}

async function measureTtfbRepeats(name: string, running: RunningTarget, { config, log }: MeasureDeps): Promise<TtfbResult> {
  await measureTtfb({ url: running.url, headers: running.headers, requests: Math.min(20, config.ttfbRequests) });
  const runs = [];
  for (let repeat = 1; repeat <= config.repeats; repeat++) {
    const sample = await measureTtfb({ url: running.url, headers: running.headers, requests: config.ttfbRequests });
    runs.push(sample);
    log(`  ${name} ttfb run ${repeat}/${config.repeats}: p50 ${sample.p50Ms.toFixed(3)} ms, p99 ${sample.p99Ms.toFixed(3)} ms` +
      (sample.failures > 0 ? `, ${sample.failures} failed` : ''));
  }
  return { runs, p50Ms: median(runs.map((r) => r.p50Ms)), p99Ms: median(runs.map((r) => r.p99Ms)) };
}

function format(sample: LoadSample): string {
  const problems = sample.non2xx + sample.errors > 0 ? `, ${sample.non2xx} non-2xx, ${sample.errors} errors` : '';
  return `${Math.round(sample.reqPerS)} req/s, p50 ${sample.p50Ms.toFixed(3)} ms, p99 ${sample.p99Ms.toFixed(3)} ms${problems}`;
}
