// What a node's `close()` undoes (src/services.ts builds it): every connection, flush and timer it
// started, closed in the reverse order they were built in.
/** What `close()` undoes, last built first: timers before the flushes they drive, storage last. */
export class Closers {
  private readonly stack: Array<() => unknown> = [];

  add(close: () => unknown): void {
    this.stack.push(close);
  }

  /** A repeating timer that never keeps the process alive, cleared at close. */
  every(ms: number, tick: () => unknown): void {
    const timer = setInterval(tick, ms).unref();
    this.add(() => clearInterval(timer));
  }

  async closeAll(): Promise<void> {
    // Each step runs even when one before it failed (a stuck Redis must not keep usage unflushed);
    // the first failure is reported once all have run.
    const failures: unknown[] = [];
    for (let close = this.stack.pop(); close; close = this.stack.pop()) {
      try {
        await close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}
