// Measures CPU use around one load run: the target's (its process tree) and the load side's (this
// process, which generates load, plus the mock upstreams sharing its CPU). A load side near 100%
// means the run was bound by the load generator, not by the target, and req/s understates the target.
// Whatever else kept the machine busy meanwhile is reported as "other": figures from a run with a
// large "other" share were disturbed (another job on the box, or a noisy virtual machine neighbour).
import { readCpuSeconds, readMachineBusySeconds } from './process-cpu.js';

export interface CpuFigures {
  /** Share of one CPU the target used (100 = one core fully busy). */
  targetCpuPct?: number;
  /** Target CPU time per successful request, in microseconds. */
  targetCpuUsPerReq?: number;
  /** Share of one CPU used by the load generator and the mock upstreams together. */
  loadCpuPct?: number;
  /** Share of one CPU used by everything else on the machine, including hypervisor steal. */
  otherCpuPct?: number;
}

export interface CpuMeter {
  stop(requests: number): CpuFigures;
}

export function startCpuMeter(targetPid: number | undefined, upstreamPid: number): CpuMeter {
  const startedAt = performance.now();
  const ownBefore = process.cpuUsage();
  const machineBefore = readMachineBusySeconds();
  const upstreamBefore = readCpuSeconds(upstreamPid);
  const targetBefore = targetPid === undefined ? undefined : readCpuSeconds(targetPid);
  return {
    stop(requests) {
      const wallS = (performance.now() - startedAt) / 1000;
      const own = process.cpuUsage(ownBefore);
      const machineAfter = readMachineBusySeconds();
      const upstreamAfter = readCpuSeconds(upstreamPid);
      const targetAfter = targetPid === undefined ? undefined : readCpuSeconds(targetPid);
      const figures: CpuFigures = {};
      const loadS = upstreamBefore !== undefined && upstreamAfter !== undefined
        ? (own.user + own.system) / 1e6 + upstreamAfter - upstreamBefore
        : undefined;
      const targetS = targetBefore !== undefined && targetAfter !== undefined ? targetAfter - targetBefore : undefined;
      if (loadS !== undefined) figures.loadCpuPct = (loadS / wallS) * 100;
      if (targetS !== undefined) {
        figures.targetCpuPct = (targetS / wallS) * 100;
        if (requests > 0) figures.targetCpuUsPerReq = (targetS * 1e6) / requests;
      }
      if (machineBefore !== undefined && machineAfter !== undefined && loadS !== undefined) {
        // Clock-tick rounding can push this slightly below zero on an idle machine.
        figures.otherCpuPct = Math.max(0, ((machineAfter - machineBefore - loadS - (targetS ?? 0)) / wallS) * 100);
      }
      return figures;
    },
  };
}
