// Child servers a test starts in a process group of their own (detached): signalled as a group, and
// killed when the test process exits however it exits (a hook that timed out, a crashed worker),
// so no throwaway PostgreSQL or Redis outlives its test file.
import type { ChildProcess } from 'node:child_process';

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** SIGKILLs the child's group when this process exits, unless the child ended first. */
export function killGroupAtExit(child: ChildProcess): void {
  const atExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', atExit);
  child.once('exit', () => process.removeListener('exit', atExit));
}
