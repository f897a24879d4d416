// Child processes of the benchmark (targets, floors, mock upstreams), started pinned to a CPU and
// tracked so that every one of them is stopped when the run ends, fails or is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import type { CpuPlan } from './cpu-plan.js';

export interface PinnedProcess {
  /** The pid of the program itself: taskset execs it, so this is where /proc/PID/status lives. */
  pid: number;
  child: ChildProcess;
  /** The last few kilobytes of stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnPinnedOptions {
  plan: CpuPlan;
  cpu: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** 'ignore' sends stdout to /dev/null: for a chatty child (request logs) nobody reads. Default 'pipe'. */
  stdout?: 'pipe' | 'ignore';
}

const running = new Set<PinnedProcess>();

export function spawnPinned(command: string, args: readonly string[], options: SpawnPinnedOptions): PinnedProcess {
  const [file, argv] = options.plan.command(options.cpu, command, args);
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const proc: PinnedProcess = {
    pid: child.pid,
    child,
    stderrTail: () => stderr,
    async stop(graceMs = 5000) {
      running.delete(proc);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killTimer);
    },
  };
  running.add(proc);
  return proc;
}

/** Stops every process still running, in parallel; used on exit and on interruption. */
export async function stopAllPinned(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop(2000)));
}
