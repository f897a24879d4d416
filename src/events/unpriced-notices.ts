// model.unpriced (SPEC §8): a call the unpriced policy applied to raises the event for the
// caller's account at most once per model per hour. The hour is claimed in storage (one mark per
// account and model), so several nodes raise it once between them; a small in-memory note spares
// the database a write on every unpriced request in between.
import type { Logger } from 'pino';
import type { Storage } from '../storage/storage.js';
import type { StoredEventPublisher } from './event-publisher.js';

export const UNPRICED_NOTICE_WINDOW_MS = 60 * 60_000;
const MAX_NOTED = 10_000;

export class UnpricedNotices {
  /** `account\0model` → until (ms) this node knows the hour's event was raised. */
  private readonly noted = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    private readonly publisher: StoredEventPublisher,
    private readonly now: () => Date,
    private readonly logger: Logger,
  ) {}

  /** Raises model.unpriced unless it was raised this hour; never throws (it runs beside a request). */
  async notice(accountId: string, model: string, policy: string): Promise<void> {
    const now = this.now();
    const local = `${accountId}\u0000${model}`;
    if ((this.noted.get(local) ?? 0) > now.getTime()) return;
    const until = new Date(now.getTime() + UNPRICED_NOTICE_WINDOW_MS);
    if (this.noted.size >= MAX_NOTED) this.noted.clear();
    this.noted.set(local, until.getTime());
    try {
      await this.storage.transaction(async (tx) => {
        if (!(await tx.events.claimOnce(`model.unpriced:${accountId}:${model}`, until.toISOString(), now.toISOString()))) return;
        await this.publisher.publish(accountId, 'model.unpriced', { model, policy }, tx);
      });
    } catch (error) {
      this.noted.delete(local);
      this.logger.warn({ err: error }, 'could not raise model.unpriced');
    }
  }
}
