// Which CPU each side runs on. The target under test gets a CPU to itself; the load generator (this
// process) and the mock upstreams share the other, so every target is measured in the same setting.
// Pinning needs taskset and at least two CPUs; otherwise everything floats and the report says so.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { findExecutable } from './find-executable.js';

export interface CpuPlan {
  pinned: boolean;
  /** Path of taskset when pinning is on. */
  taskset?: string;
  loadCpu: number;
  targetCpu: number;
  /** Human-readable description for the report. */
  description: string;
  /** Prefixes `command args` with `taskset -c cpu` when pinning is on. */
  command(cpu: number, command: string, args: readonly string[]): [string, string[]];
}

export function planCpus(): CpuPlan {
  const taskset = findExecutable('taskset');
  const cpus = availableParallelism();
  const pinned = taskset !== undefined && cpus >= 2;
  const loadCpu = 0;
  const targetCpu = 1;
  return {
    pinned,
    ...(pinned ? { taskset } : {}),
    loadCpu,
    targetCpu,
    description: pinned
      ? `taskset: target on CPU ${targetCpu}; load generator and mock upstreams on CPU ${loadCpu} (${cpus} CPUs)`
      : `not pinned (${taskset === undefined ? 'taskset not found' : `only ${cpus} CPU`})`,
    command(cpu, command, args) {
      return this.taskset !== undefined ? [this.taskset, ['-c', String(cpu), command, ...args]] : [command, [...args]];
    },
  };
}

/** Moves every thread of this process (the load generator) onto `cpu`; later threads inherit it. */
export function pinCurrentProcess(plan: CpuPlan): void {
  if (plan.taskset === undefined) return;
  execFileSync(plan.taskset, ['-a', '-c', '-p', String(plan.loadCpu), String(process.pid)], { stdio: 'ignore' });
}
