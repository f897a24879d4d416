// Peak resident memory of a target: VmHWM (the kernel's high-water mark of RSS) from
// /proc/PID/status, summed over the process and its descendants so that nginx's master and worker
// both count. Linux only; undefined elsewhere or once the process is gone.
import { readdirSync, readFileSync } from 'node:fs';

export function readPeakRssMb(pid: number): number | undefined {
  const pids = [pid, ...descendantsOf(pid)];
  let totalKb = 0;
  for (const each of pids) {
    const kb = statusField(each, 'VmHWM');
    if (kb === undefined && each === pid) return undefined;
    totalKb += kb ?? 0;
  }
  return totalKb / 1024;
}

function statusField(pid: number, name: string): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may contain spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const [child, parent] of parentOf) {
      if (parent === next) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}
