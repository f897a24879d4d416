// One call under way per lane: what arrives for a lane while its call is under way waits, and goes
// in the next call together with everything else that arrived meanwhile. A lane with nothing under
// way sends at once, so a caller alone waits for nothing; under load, one round trip serves many.
// The Redis limiter sends each account's claims, and each account's ends, this way
// (redis-limiter-store.ts): one script for the requests that queued behind the one under way; and
// group reservations on PostgreSQL each account's reservations (reservation-groups.ts).

interface Entry<T, R> {
  item: T;
  resolve: (result: R | PromiseLike<R>) => void;
  reject: (error: unknown) => void;
}

export class LaneBatches<T, R> {
  /** Lanes with a call under way, and what waits for it to end. */
  private readonly lanes = new Map<string, Entry<T, R>[]>();

  /**
   * @param send answers the items in order (one result each, or a promise of it: an item that fails
   * alone); a failure of the call fails every item of it. The lane's next call waits for `send`.
   * @param maxBatch the most items one call carries: the rest wait for the next.
   */
  constructor(
    private readonly send: (items: T[]) => Promise<Array<R | PromiseLike<R>>>,
    private readonly maxBatch: number,
  ) {}

  submit(lane: string, item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      const entry: Entry<T, R> = { item, resolve, reject };
      const waiting = this.lanes.get(lane);
      if (waiting) {
        waiting.push(entry);
        return;
      }
      this.lanes.set(lane, []);
      this.run(lane, [entry]);
    });
  }

  private run(lane: string, batch: Entry<T, R>[]): void {
    const items: T[] = [];
    for (const entry of batch) items.push(entry.item);
    let call: Promise<Array<R | PromiseLike<R>>>;
    try {
      call = this.send(items);
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (results) => {
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
        this.next(lane);
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
        this.next(lane);
      },
    );
  }

  private next(lane: string): void {
    const waiting = this.lanes.get(lane)!;
    if (waiting.length === 0) this.lanes.delete(lane);
    else this.run(lane, waiting.splice(0, this.maxBatch));
  }
}
