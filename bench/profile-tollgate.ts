// `npm run bench:profile` (tsx bench/profile-tollgate.ts): where Tollgate's time goes on the hot path.
// Runs the built server under `node --cpu-prof`, in the benchmark's own arrangement (pinned, in front
// of the zero-delay mock upstream, everything on), drives it with the closed-loop chat-completions load
// at 16 connections for BENCH_PROFILE_DURATION_S (20 s; 5 s quick), stops it (the profile is written
// on exit), and ranks self and inclusive time per function and per file. Writes the profile and
// bench/results/profile.md; the summary is also printed.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBenchConfig } from './bench-config.js';
import type { TargetContext } from './bench-target.js';
import { pinCurrentProcess, planCpus } from './cpu-plan.js';
import { startCpuMeter } from './cpu-meter.js';
import { LOAD_BODY } from './load-scenarios.js';
import { startMockUpstreams } from './mock-upstreams.js';
import { renderProfileSummary, summarizeCpuProfile, type CpuProfile } from './profile/summarize-cpu-profile.js';
import { runLoad } from './run-load.js';
import { spawnPinned, stopAllPinned } from './spawn-pinned.js';
import { TOLLGATE_PG_REDIS_OPTIONS } from './targets/tollgate-pg-redis-target.js';
import { tollgateTarget } from './targets/tollgate-target.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const config = { ...loadBenchConfig(), tollgateKeys: 1_000 };
  const plan = planCpus();
  pinCurrentProcess(plan);
  const runDir = mkdtempSync(join(tmpdir(), 'tollgate-profile-'));
  const profileDir = join(config.resultsDir, 'profile');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const watchdog = setTimeout(() => void stopAllPinned().finally(() => process.exit(2)), 10 * 60_000);
  watchdog.unref();
  try {
    log(`Tollgate profile: ${plan.description}`);
    const upstreams = await startMockUpstreams(config, plan);
    const workDir = join(runDir, 'tollgate');
    mkdirSync(workDir, { recursive: true });
    chmodSync(workDir, 0o700);
    const context: TargetContext = {
      upstreamUrl: upstreams.urls.zero,
      upstreamKind: 'zero',
      workDir,
      config,
      log,
      spawn: (command, args, options) => spawnPinned(command, args, { plan, cpu: plan.targetCpu, ...options }),
    };
    // --cpu-prof-interval: 200 µs instead of 1 ms, for a finer picture of sub-millisecond work.
    const profiled = { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '200'], warmOn: [] };
    const target = tollgateTarget(config.profileTarget === 'tollgate-pg-redis' ? { ...TOLLGATE_PG_REDIS_OPTIONS, ...profiled } : profiled);
    const running = await target.start(context);
    const request = { url: running.url, headers: running.headers, body: LOAD_BODY };
    const window = { fromUs: 0, toUs: Number.POSITIVE_INFINITY };
    const loadFigures = { reqPerS: Number.NaN, usPerReq: Number.NaN };
    try {
      const warm = await runLoad({ ...request, connections: 16, durationS: config.warmupS });
      log(`  warmed up: ${Math.round(warm.reqPerS)} req/s`);
      const meter = startCpuMeter(running.pid, upstreams.process.pid);
      window.fromUs = monotonicUs();
      const load = await runLoad({ ...request, connections: config.profileConnections, durationS: config.profileDurationS });
      window.toUs = monotonicUs();
      const cpu = meter.stop(load.requests);
      loadFigures.reqPerS = load.reqPerS;
      loadFigures.usPerReq = cpu.targetCpuUsPerReq ?? Number.NaN;
      log(`  profiled load: ${Math.round(load.reqPerS)} req/s at ${config.profileConnections} connection(s) for ${config.profileDurationS} s, p50 ${load.p50Ms.toFixed(3)} ms,` +
        ` target CPU ${Math.round(cpu.targetCpuPct ?? 0)}% (${Math.round(cpu.targetCpuUsPerReq ?? 0)} µs/req), other CPU ${Math.round(cpu.otherCpuPct ?? 0)}%` +
        (load.non2xx + load.errors > 0 ? `, ${load.non2xx} non-2xx, ${load.errors} errors` : ''));
    } finally {
      await running.stop();
    }
    const file = busiestProfile(profileDir);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    // Only the measured load: start-up, provisioning, warm-up and shutdown are left out.
    const summary = summarizeCpuProfile(profile, process.cwd(), 30, window);
    const markdown = renderProfileSummary(summary, `${config.profileTarget} under load (${file.slice(process.cwd().length + 1)})`);
    writeFileSync(
      join(config.resultsDir, 'profile.md'),
      `# Tollgate CPU profile (${config.profileTarget})\n\nSamples from the ${config.profileDurationS} s of closed-loop chat-completions load at ${config.profileConnections} connection(s) only ` +
        `(start-up, provisioning and warm-up left out); ${Math.round(loadFigures.reqPerS)} req/s, ${Math.round(loadFigures.usPerReq)} µs of target CPU per request.\n\n${markdown}\n`,
    );
    log(`\n${markdown}\nwrote ${file} and ${join(config.resultsDir, 'profile.md')}`);
  } finally {
    clearTimeout(watchdog);
    await stopAllPinned();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The profile of the node that took the load: the largest (on PostgreSQL + Redis a second node idles beside it). */
function busiestProfile(dir: string): string {
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).map((name) => join(dir, name));
  if (files.length === 0) throw new Error(`no .cpuprofile was written to ${dir} (did the server exit cleanly?)`);
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
}

main().catch((error: unknown) => {
  log(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
