// What SIGTERM and SIGINT do to a running server, as a small state machine over injected effects
// (stop, exit, a timer, a log), so the rules are tested without a process. The first signal starts a
// graceful stop: in-flight requests drain (bounded in main.ts), then storage closes, then exit 0.
// A second signal means "now": the process exits at once (128 + signal number, the shell's
// convention) — except within a short echo window: `npm start` and tsx forward the terminal's Ctrl-C to
// a child that the terminal already signalled, so one press can arrive twice. A stop that hangs anyway — a database that never answers its close — ends when the
// hard bound passes, with exit 1, so an orchestrator's restart is never blocked by us.

export interface ShutdownEffects {
  stop(): Promise<void>;
  exit(code: number): void;
  /** Starts a one-shot timer that must not keep the process alive (unref'd). */
  after(ms: number, run: () => void): void;
  log(level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void;
  /** The longest a stop may take before the process exits anyway. */
  hardLimitMs: number;
  now(): number;
}

/** A repeat this soon after the first signal is the same press, relayed by a parent (npm, tsx). */
export const SIGNAL_ECHO_MS = 500;

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export function shutdownOnSignals(effects: ShutdownEffects): (signal: string) => void {
  let firstAt: number | undefined;
  return function onSignal(signal) {
    if (firstAt !== undefined && effects.now() - firstAt < SIGNAL_ECHO_MS) return;
    if (firstAt !== undefined) {
      effects.log('warn', 'second signal: exiting now, without waiting for in-flight requests', { signal });
      effects.exit(128 + (SIGNAL_NUMBERS[signal] ?? 15));
      return;
    }
    firstAt = effects.now();
    effects.log('info', 'signal received', { signal });
    effects.after(effects.hardLimitMs, () => {
      effects.log('error', 'shutdown did not finish in time; exiting', { limitMs: effects.hardLimitMs });
      effects.exit(1);
    });
    effects.stop().then(
      () => effects.exit(0),
      (error: unknown) => {
        effects.log('error', 'shutdown failed', { err: error });
        effects.exit(1);
      },
    );
  };
}
