// Peak resident memory of a target: VmHWM (the kernel's high-water mark of RSS) from
// /proc/PID/status, summed over the process tree so that nginx's master and worker both count.
// Undefined where /proc is missing or once the process is gone.
import { readFileSync } from 'node:fs';
import { processTree } from './process-tree.js';

export function readPeakRssMb(pid: number): number | undefined {
  let totalKb = 0;
  for (const each of processTree(pid)) {
    const kb = vmHwmKb(each);
    if (kb === undefined && each === pid) return undefined;
    totalKb += kb ?? 0;
  }
  return totalKb / 1024;
}

function vmHwmKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}
