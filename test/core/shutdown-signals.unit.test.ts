// SIGTERM / SIGINT rules without a process: a graceful first signal, a second that exits at once,
// and a stop that hangs ending at the hard bound. Time is a hand-driven list of timers.
import { describe, expect, it } from 'vitest';
import { SIGNAL_ECHO_MS, shutdownOnSignals, type ShutdownEffects } from '../../src/core/shutdown-signals.js';

function harness(stop: () => Promise<void>) {
  const exits: number[] = [];
  const timers: Array<{ at: number; run: () => void }> = [];
  const logs: string[] = [];
  let now = 0;
  const effects: ShutdownEffects = {
    stop,
    exit: (code) => exits.push(code),
    after: (ms, run) => timers.push({ at: now + ms, run }),
    log: (level, message) => logs.push(`${level}: ${message}`),
    hardLimitMs: 15_000,
    now: () => now,
  };
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.run();
    }
  };
  return { onSignal: shutdownOnSignals(effects), exits, logs, advance };
}

const never = () => new Promise<void>(() => undefined);
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('shutdown on signals', () => {
  it('stops gracefully on the first signal and exits 0 when the stop finishes', async () => {
    let finish!: () => void;
    const h = harness(() => new Promise<void>((resolve) => (finish = resolve)));
    h.onSignal('SIGTERM');
    await settle();
    expect(h.exits).toEqual([]);
    finish();
    await settle();
    expect(h.exits).toEqual([0]);
  });

  it('exits at once on a second signal, with 128 + the signal number', () => {
    const h = harness(never);
    h.onSignal('SIGINT');
    h.advance(2_000);
    h.onSignal('SIGINT');
    expect(h.exits).toEqual([130]);
    expect(h.logs.at(-1)).toMatch(/second signal/);
  });

  it('takes a repeat within the echo window as the same press (npm start relays Ctrl-C to its child)', () => {
    const h = harness(never);
    h.onSignal('SIGINT');
    h.advance(SIGNAL_ECHO_MS - 1);
    h.onSignal('SIGINT');
    expect(h.exits).toEqual([]);
    h.advance(1);
    h.onSignal('SIGINT');
    expect(h.exits).toEqual([130]);
  });

  it('ends a stop that hangs when the hard bound passes, with exit 1', async () => {
    const h = harness(never);
    h.onSignal('SIGTERM');
    h.advance(14_999);
    expect(h.exits).toEqual([]);
    h.advance(1);
    expect(h.exits).toEqual([1]);
    expect(h.logs.at(-1)).toMatch(/did not finish in time/);
  });

  it('exits 1 when the stop fails', async () => {
    const h = harness(() => Promise.reject(new Error('close failed')));
    h.onSignal('SIGTERM');
    await settle();
    expect(h.exits).toEqual([1]);
  });
});
