// A small in-process fixed-window counter for sign-in, password and registration throttling and
// the decrypted-key read limit. Bounded: at most `maxKeys` windows are kept, the oldest dropped
// first. (Shared limits for data-plane traffic live in src/limits; these protect the control
// plane of one node, which is what an attacker hammering one node's sign-in page meets: K nodes
// behind one balancer admit at most K × max guesses per window.)
//
// `reserve` counts an attempt before the work it guards starts (check-and-count in one
// synchronous step, so parallel requests cannot all pass the check before any of them counts);
// the caller may hand the slot back when the attempt turns out to be legitimate.

export interface AttemptLimit {
  max: number;
  windowMs: number;
}

export type Reservation = { ok: true; release(): void } | { ok: false; retryAfterS: number };

interface Window {
  count: number;
  resetAt: number;
}

export class AttemptLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: AttemptLimit,
    private readonly maxKeys = 100_000,
  ) {}

  private current(key: string, now: number): Window {
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      this.windows.delete(key);
      window = { count: 0, resetAt: now + this.limit.windowMs };
      this.windows.set(key, window);
      if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    }
    return window;
  }

  private retryAfterS(window: Window, now: number): number {
    return Math.max(1, Math.ceil((window.resetAt - now) / 1000));
  }

  /** Takes one slot of `key`'s window, or says how long to wait when none is left (counts nothing then). */
  reserve(key: string, now = Date.now()): Reservation {
    const window = this.current(key, now);
    if (window.count >= this.limit.max) return { ok: false, retryAfterS: this.retryAfterS(window, now) };
    window.count += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        // Only into the window the slot came from, and only once.
        if (released || this.windows.get(key) !== window) return;
        released = true;
        window.count = Math.max(0, window.count - 1);
      },
    };
  }

  /** Counts one attempt; returns seconds to wait if this attempt went over the limit. */
  hit(key: string, now = Date.now()): number | null {
    const window = this.current(key, now);
    window.count += 1;
    return window.count > this.limit.max ? this.retryAfterS(window, now) : null;
  }
}
