// A small in-process fixed-window counter for sign-in throttling and the decrypted-key read
// limit. Bounded: at most `maxKeys` windows are kept, the oldest dropped first.
// (Shared limits for data-plane traffic live in src/limits; these protect the control plane of
// one node, which is what an attacker hammering one node's sign-in page meets.)

export interface AttemptLimit {
  max: number;
  windowMs: number;
}

export class AttemptLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: AttemptLimit,
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds to wait if `key` is over its limit now, else null. Does not count. */
  blockedFor(key: string, now = Date.now()): number | null {
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now || window.count < this.limit.max) return null;
    return Math.max(1, Math.ceil((window.resetAt - now) / 1000));
  }

  /** Counts one attempt; returns seconds to wait if this attempt went over the limit. */
  hit(key: string, now = Date.now()): number | null {
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      this.windows.delete(key);
      window = { count: 0, resetAt: now + this.limit.windowMs };
      this.windows.set(key, window);
      if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    }
    window.count += 1;
    return window.count > this.limit.max ? Math.max(1, Math.ceil((window.resetAt - now) / 1000)) : null;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }
}
