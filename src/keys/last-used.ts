// last_used_at without a database write per request: uses are noted in memory (latest time per
// key) and written in one batch every few seconds (the composition root's timer calls `flush`),
// and once more on shutdown.
import type { Logger } from 'pino';
import type { Storage } from '../storage/storage.js';

export class LastUsedTracker {
  private pending = new Map<string, string>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
  ) {}

  note(keyId: string, at: string): void {
    const previous = this.pending.get(keyId);
    if (previous === undefined || previous < at) this.pending.set(keyId, at);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.storage.apiKeys.touchLastUsed(batch);
      } catch (error) {
        this.logger.warn({ err: error, keys: batch.size }, 'could not record key last-use times');
      }
    });
    return this.flushing;
  }

}
