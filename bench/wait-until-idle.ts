// Waits until a process tree has gone quiet (below `maxCpuPct` of a CPU over one interval), so
// background work a warm-up left behind — batched writes, timers — does not run inside the next
// measurement. Bounded: gives up after `timeoutS` and says how busy the process still was.
import { setTimeout as sleep } from 'node:timers/promises';
import { readCpuSeconds } from './process-cpu.js';

export async function waitUntilIdle(pid: number, options: { maxCpuPct?: number; intervalMs?: number; timeoutS?: number; minWaitMs?: number } = {}): Promise<{ idle: boolean; lastCpuPct: number; waitedS: number }> {
  const maxCpuPct = options.maxCpuPct ?? 10;
  const intervalMs = options.intervalMs ?? 1000;
  const started = performance.now();
  const deadline = started + (options.timeoutS ?? 60) * 1000;
  let lastCpuPct = Number.NaN;
  // Timers that flush batches (every few seconds) may not have fired yet: quiet now is not done.
  if (options.minWaitMs) await sleep(options.minWaitMs);
  while (performance.now() < deadline) {
    const before = readCpuSeconds(pid);
    const at = performance.now();
    await sleep(intervalMs);
    const after = readCpuSeconds(pid);
    if (before === undefined || after === undefined) break;
    lastCpuPct = ((after - before) / ((performance.now() - at) / 1000)) * 100;
    if (lastCpuPct < maxCpuPct) return { idle: true, lastCpuPct, waitedS: (performance.now() - started) / 1000 };
  }
  return { idle: false, lastCpuPct, waitedS: (performance.now() - started) / 1000 };
}
