// What the harness needs from anything it measures. Adding a target is one object: a name, and a
// `start` that launches it as a child process (via `context.spawn`, which pins it to the target CPU)
// in front of the upstream it is given, and says where to send requests.
import type { BenchConfig } from './bench-config.js';
import type { PinnedProcess } from './spawn-pinned.js';

export interface TargetContext {
  /** The upstream to put in front of: an OpenAI-compatible base URL ending in `/v1`. */
  upstreamUrl: string;
  /** Which of the mock upstreams that is (a target may start once per kind). */
  upstreamKind: 'zero' | 'delayed' | 'sse';
  /** A directory owned by this target for the whole run (configs, databases); removed at the end. */
  workDir: string;
  /** Starts a child process pinned to the target CPU; the harness stops it if `stop` is never called. */
  spawn(command: string, args: readonly string[], options?: { env?: NodeJS.ProcessEnv; cwd?: string; stdout?: 'pipe' | 'ignore' }): PinnedProcess;
  /** Settings of the run (durations, quick mode, Tollgate's key counts). */
  config: BenchConfig;
  /** Progress lines for the run log (seeding, warming). */
  log(line: string): void;
}

export interface RunningTarget {
  /** Base URL ending in `/v1`: the load goes to `${url}/chat/completions`. */
  url: string;
  /** Headers every request carries (the key). */
  headers: Record<string, string>;
  /** Process whose peak RSS (with its children) is reported; omit when not meaningful. */
  pid?: number;
  stop(): Promise<void>;
}

export interface BenchTarget {
  name: string;
  /** Why this target cannot run here (shown in the output), or undefined when it can. */
  unavailableReason?(config: BenchConfig): string | undefined;
  /** Called once per upstream kind; what the starts share (a database) is kept per `workDir`. */
  start(context: TargetContext): Promise<RunningTarget>;
  /**
   * Called once after the last start in `workDir`, whether the starts succeeded or not: releases what
   * they shared for the whole run (a database schema, servers of its own).
   */
  finish?(workDir: string): Promise<void>;
}
