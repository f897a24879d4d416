// Usage records are written off the request path: queued in memory and inserted in batches (every
// second by the composition root's timer, or sooner when a batch fills up), and flushed on
// shutdown. A failed batch is retried row by row so one bad row (an account deleted meanwhile)
// does not lose the others. Settlements run after their response is sent and queue their record
// when done; the writer keeps them in view, so `flush()` (and shutdown) include the records still
// being settled.
import type { Logger } from 'pino';
import type { Storage } from '../storage/storage.js';
import { storeUsageRecords, type UsageRecord } from '../storage/usage-records.js';

/**
 * Where records go instead when the credit engine commits in groups (SQLite): into its next batch,
 * stored in the transaction of that batch's charges, so both are durable in the same commit.
 */
export interface UsageSink {
  usage(record: UsageRecord): void;
  flush(): Promise<void>;
}

const BATCH_SIZE = 200;
const MAX_QUEUED = 100_000;

export class UsageWriter {
  private queue: UsageRecord[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly settling = new Set<Promise<unknown>>();

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    private readonly onDropped: (count: number) => void = () => {},
    private readonly sink: UsageSink | null = null,
  ) {}

  record(record: UsageRecord): void {
    if (this.sink) {
      this.sink.usage(record);
      return;
    }
    if (this.queue.length >= MAX_QUEUED) {
      // Storage is down or far behind: keep memory bounded and say so in metrics.
      this.onDropped(1);
      return;
    }
    this.queue.push(record);
    if (this.queue.length >= BATCH_SIZE) void this.writeQueued();
  }

  /** A settlement that will queue a record (it never rejects: DataPlaneCall.finish does not throw). */
  track(settling: Promise<unknown>): void {
    this.settling.add(settling);
    const forget = () => this.settling.delete(settling);
    settling.then(forget, forget);
  }

  /** Writes everything queued so far, and what settlements under way will queue; resolves when it is stored (or given up on). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.settling]);
    if (this.sink) return this.sink.flush();
    return this.writeQueued();
  }

  private writeQueued(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH_SIZE);
        await this.write(batch);
      }
    });
    return this.flushing;
  }

  private async write(batch: UsageRecord[]): Promise<void> {
    try {
      await storeUsageRecords(this.storage, batch);
    } catch {
      for (const record of batch) {
        try {
          await storeUsageRecords(this.storage, [record]);
        } catch (error) {
          this.onDropped(1);
          this.logger.warn({ err: { message: (error as Error).message }, requestId: record.requestId }, 'could not write a usage record');
        }
      }
    }
  }
}
