// A process and all its descendants, from /proc (Linux), so figures for nginx cover its master and
// worker alike. Just the root when /proc cannot be listed (its own reads then fail and say so).
import { readdirSync, readFileSync } from 'node:fs';

export function processTree(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [root];
  }
  const parentOf = new Map<number, number>();
  for (const entry of entries) {
    const fields = statFields(Number(entry));
    if (fields !== undefined) parentOf.set(Number(entry), Number(fields[1]));
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) {
    for (const [child, parent] of parentOf) if (parent === found[i]) found.push(child);
  }
  return found;
}

/**
 * The fields of /proc/PID/stat after the command name, so index 0 is field 3 (state), index 1 the
 * parent pid, index 11 utime and index 12 stime. The name is cut off first because it may contain spaces.
 */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
