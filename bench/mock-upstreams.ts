// Starts the mock upstreams (PART of test/support, reused here) in their own process on the load
// generator's CPU, so they never compete with the target under test or block the load generator's
// event loop.
import { fileURLToPath } from 'node:url';
import type { BenchConfig } from './bench-config.js';
import type { CpuPlan } from './cpu-plan.js';
import { spawnPinned, type PinnedProcess } from './spawn-pinned.js';
import { firstJsonLine } from './wait-until-ready.js';

export type UpstreamKind = 'zero' | 'delayed' | 'sse';
export type UpstreamUrls = Record<UpstreamKind, string>;

export interface UpstreamSettings {
  delayMs: number;
  sseChunks: number;
  sseChunkIntervalMs: number;
}

export interface MockUpstreams {
  urls: UpstreamUrls;
  process: PinnedProcess;
}

export async function startMockUpstreams(config: BenchConfig, plan: CpuPlan): Promise<MockUpstreams> {
  const settings: UpstreamSettings = {
    delayMs: config.upstreamDelayMs,
    sseChunks: config.sseChunks,
    sseChunkIntervalMs: config.sseChunkIntervalMs,
  };
  const entry = fileURLToPath(new URL('./mock-upstreams-main.ts', import.meta.url));
  const proc = spawnPinned(process.execPath, ['--import', 'tsx', entry, JSON.stringify(settings)], {
    plan,
    cpu: plan.loadCpu,
  });
  const urls = await firstJsonLine<UpstreamUrls>(proc, 'mock upstreams');
  return { urls, process: proc };
}
