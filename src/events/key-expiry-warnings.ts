// key.expiring (SPEC §9): each key with an expiry is announced 7 days and 1 day before it, once
// each. What was sent is recorded as a mark (`key.expiring:<key>:7d|1d`) claimed in the same
// transaction as the event, so several nodes scanning at once send each warning once. A key
// created less than a day before its expiry gets the 1-day warning only (the 7-day one is marked
// as passed), and a key already past a window when the scheduler first sees it is warned late
// rather than never.
import type { Storage } from '../storage/storage.js';
import type { ExpiringKey } from '../storage/events.js';
import type { StoredEventPublisher } from './event-publisher.js';

const DAY_MS = 24 * 60 * 60_000;
const BATCH = 200;
const FOREVER = '9999-12-31T23:59:59.999Z';

export class KeyExpiryWarnings {
  constructor(
    private readonly storage: Storage,
    private readonly publisher: StoredEventPublisher,
  ) {}

  /** Sends the warnings due at `now`; how many were sent. */
  async run(now: Date): Promise<number> {
    const at = now.toISOString();
    let sent = 0;
    // The 1-day window first, so a key inside it is not also warned "7 days" in the same pass.
    for (const [mark, days] of [['1d', 1], ['7d', 7]] as const) {
      const horizon = new Date(now.getTime() + days * DAY_MS).toISOString();
      for (const key of await this.storage.expiringKeys.due(at, horizon, mark, BATCH)) {
        if (await this.warn(key, mark, days, at)) sent += 1;
      }
    }
    return sent;
  }

  private warn(key: ExpiringKey, mark: '1d' | '7d', days: number, at: string): Promise<boolean> {
    return this.storage.transaction(async (tx) => {
      if (!(await tx.events.claimOnce(`key.expiring:${key.id}:${mark}`, FOREVER, at))) return false;
      if (mark === '1d') await tx.events.claimOnce(`key.expiring:${key.id}:7d`, FOREVER, at);
      await this.publisher.publish(key.accountId, 'key.expiring', { key_id: key.id, name: key.name, key_prefix: key.keyPrefix, kind: key.kind, expires_at: key.expiresAt, days }, tx);
      return true;
    });
  }
}
