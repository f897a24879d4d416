// Runs one key-verification function as fast as it goes for a fixed time, with a fixed number of
// verifications in flight, cycling through the given keys, and reports throughput and the latency
// of each verification (so the cost of one verification at one in flight). Every answer must be
// "valid": a benchmark that silently measured refusals would be measuring the wrong path.
import { percentile } from '../percentile.js';
import { readMachineBusySeconds } from '../process-cpu.js';

export interface VerificationRun {
  verifications: number;
  perS: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  /** Share of a CPU this process used meanwhile. */
  ownCpuPct: number;
  /** Share of a CPU everything else on the machine used meanwhile (the database server included). */
  otherCpuPct?: number;
}

export interface VerifyOptions {
  verify(key: string): Promise<boolean>;
  keys: readonly string[];
  concurrency: number;
  durationS: number;
}

const MAX_SAMPLES = 2_000_000;

export async function measureVerifications({ verify, keys, concurrency, durationS }: VerifyOptions): Promise<VerificationRun> {
  if (keys.length === 0) throw new Error('no keys to verify');
  const latencies = new Float64Array(MAX_SAMPLES);
  let count = 0;
  let next = 0;
  let failure: string | undefined;
  const ownBefore = process.cpuUsage();
  const machineBefore = readMachineBusySeconds();
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const worker = async () => {
    while (performance.now() < deadline && failure === undefined && count < MAX_SAMPLES) {
      const key = keys[next++ % keys.length]!;
      const at = performance.now();
      const valid = await verify(key);
      latencies[count++] = (performance.now() - at) * 1000;
      if (!valid) failure = `a seeded key was refused (after ${count} verifications)`;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallS = (performance.now() - started) / 1000;
  if (failure !== undefined) throw new Error(failure);
  const own = process.cpuUsage(ownBefore);
  const ownS = (own.user + own.system) / 1e6;
  const machineAfter = readMachineBusySeconds();
  const samples = latencies.subarray(0, count);
  let total = 0;
  for (const value of samples) total += value;
  return {
    verifications: count,
    perS: count / wallS,
    p50Us: percentile(samples, 50),
    p99Us: percentile(samples, 99),
    meanUs: total / count,
    ownCpuPct: (ownS / wallS) * 100,
    ...(machineBefore !== undefined && machineAfter !== undefined
      ? { otherCpuPct: Math.max(0, ((machineAfter - machineBefore - ownS) / wallS) * 100) }
      : {}),
  };
}
