// CPU time consumed by a process tree (user + system, from /proc/PID/stat), so that a run can say
// how busy the target's CPU was and what one request cost it — a figure that, unlike req/s, does
// not depend on whether the load generator kept up. Also the machine's total busy time
// (/proc/stat), to tell when something outside the benchmark was competing for the CPUs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree, statFields } from './process-tree.js';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds used so far by `pid` and its descendants; undefined when it cannot be read. */
export function readCpuSeconds(pid: number): number | undefined {
  let ticks = 0;
  for (const each of processTree(pid)) {
    const fields = statFields(each);
    if (fields === undefined) {
      if (each === pid) return undefined;
      continue;
    }
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / clockTicks();
}

/** CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq and steal). */
export function readMachineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, value) => sum + (value ?? 0), 0);
    return busy / clockTicks();
  } catch {
    return undefined;
  }
}
