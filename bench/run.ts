// `npm run bench`: one command, one machine, every figure next to its floor (issue #6). Starts the
// mock upstreams, measures each target in turn (direct, the Node floor, nginx, Tollgate on its
// embedded SQLite and on PostgreSQL + Redis — the list in bench/targets/all-targets.ts), then key
// lookups at scale (bench/keys/) and listings at scale (bench/listing/), and writes bench/results/
// (latest.* or, quick, quick.*). Settings come from BENCH_* variables (see bench/bench-config.ts and
// BENCHMARKS.md); BENCH_QUICK=1 for a smoke run.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBenchConfig } from './bench-config.js';
import { collectMeta } from './bench-meta.js';
import type { BenchReport, KeyScaleReport, ListingScaleReport, TargetResult } from './bench-result.js';
import { checkGoals, keyScaleGoals, listingScaleGoals, steadinessGoals } from './check-goals.js';
import { LISTING_SCALE, runListingScale } from './listing/run-listing-scale.js';
import { compareTargets, DIRECT } from './compare-targets.js';
import { pinCurrentProcess, planCpus } from './cpu-plan.js';
import { loadScenarios } from './load-scenarios.js';
import { KEY_SCALE, runKeyScale } from './keys/run-key-scale.js';
import { measureTarget } from './measure-target.js';
import { startMockUpstreams } from './mock-upstreams.js';
import { writeResults } from './report/write-results.js';
import { runSoak, SOAK } from './soak/run-soak.js';
import { stopAllPinned } from './spawn-pinned.js';
import { allTargets } from './targets/all-targets.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const plan = planCpus();
  pinCurrentProcess(plan);
  const startedAt = performance.now();
  const runDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  // nginx's worker drops to an unprivileged user and must traverse into its work directory.
  chmodSync(runDir, 0o755);
  // A soak outlasts the default limit by design: it gets its own minutes and ten more to start and stop.
  const maxMinutes = config.targetNames.includes(SOAK) ? Math.max(config.maxMinutes, config.soakMinutes + 10) : config.maxMinutes;
  const watchdog = setTimeout(() => abort(`time limit of ${maxMinutes} min reached`), maxMinutes * 60_000);
  watchdog.unref();
  try {
    // The soak is a run of its own (minutes of fixed-rate load on two nodes), never part of the comparison.
    if (config.targetNames.includes(SOAK)) return await runSoak(config, plan, runDir, log);
    log(`Tollgate benchmark${config.quick ? ' (quick mode)' : ''}: ${plan.description}`);
    const upstreams = await startMockUpstreams(config, plan);
    log(`mock upstreams: ${Object.entries(upstreams.urls).map(([kind, url]) => `${kind} ${url}`).join(', ')}`);
    const scenarios = loadScenarios(config);
    const wanted = allTargets.filter((t) => config.targetNames.length === 0 || t.name === DIRECT || config.targetNames.includes(t.name));
    const skipped: BenchReport['skipped'] = [];
    const targets: TargetResult[] = [];
    for (const target of wanted) {
      const reason = target.unavailableReason?.(config);
      if (reason !== undefined) {
        log(`- ${target.name} skipped: ${reason}`);
        skipped.push({ name: target.name, reason });
        continue;
      }
      log(`▶ ${target.name}`);
      targets.push(await measureTarget(target, { config, plan, upstreams: upstreams.urls, upstreamPid: upstreams.process.pid, scenarios, runDir, log }));
    }
    let keyScale: KeyScaleReport | undefined;
    if (config.keyScale && (config.targetNames.length === 0 || config.targetNames.includes(KEY_SCALE))) {
      log(`▶ key lookups at scale (${config.keyScaleSizes.map((n) => n.toLocaleString('en-US')).join(' and ')} keys)`);
      keyScale = await runKeyScale(config, log);
    }
    let listingScale: ListingScaleReport | undefined;
    if (config.targetNames.length === 0 || config.targetNames.includes(LISTING_SCALE)) {
      log(`▶ listings at scale (${config.listingKeys.toLocaleString('en-US')} keys, ${config.listingUsageRecords.toLocaleString('en-US')} usage records)`);
      listingScale = await runListingScale(config, log);
    }
    const comparisons = compareTargets(targets);
    const report: BenchReport = {
      meta: collectMeta(config, plan, (performance.now() - startedAt) / 1000),
      targets,
      comparisons,
      goals: [...checkGoals(targets, comparisons), ...steadinessGoals(targets), ...(keyScale ? keyScaleGoals(keyScale) : []), ...(listingScale ? listingScaleGoals(listingScale) : [])],
      skipped,
      ...(keyScale ? { keyScale } : {}),
      ...(listingScale ? { listingScale } : {}),
    };
    const written = writeResults(report, config);
    log(`\n${written.markdown}`);
    log(`wrote ${written.files.join(', ')}${written.benchmarksDocUpdated ? ' and updated BENCHMARKS.md' : ''}`);
  } finally {
    clearTimeout(watchdog);
    await stopAllPinned();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function abort(reason: string): void {
  log(`benchmark aborted: ${reason}`);
  void stopAllPinned().finally(() => process.exit(2));
}

process.once('SIGINT', () => abort('interrupted'));
process.once('SIGTERM', () => abort('terminated'));

main().catch((error: unknown) => {
  log(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
