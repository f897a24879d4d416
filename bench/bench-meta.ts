// The facts a reader needs to judge a run: machine, versions, pinning and the settings used.
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, release } from 'node:os';
import type { BenchConfig } from './bench-config.js';
import type { BenchMeta } from './bench-result.js';
import type { CpuPlan } from './cpu-plan.js';
import { findExecutable } from './find-executable.js';

export function collectMeta(config: BenchConfig, plan: CpuPlan, elapsedS: number): BenchMeta {
  const nginx = findExecutable('nginx');
  // `nginx -v` prints "nginx version: nginx/1.22.1" on stderr.
  const nginxVersion = nginx === undefined ? undefined : spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '');
  return {
    date: new Date().toISOString(),
    quick: config.quick,
    node: process.version,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cpus: availableParallelism(),
    kernel: release(),
    pinning: plan.description,
    ...(nginxVersion ? { nginxVersion } : {}),
    durationS: config.durationS,
    repeats: config.repeats,
    warmupS: config.warmupS,
    ttfbRequests: config.ttfbRequests,
    upstreamDelayMs: config.upstreamDelayMs,
    sseChunks: config.sseChunks,
    sseChunkIntervalMs: config.sseChunkIntervalMs,
    elapsedS,
  };
}
