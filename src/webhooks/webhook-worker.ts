// The delivery worker (SPEC §9): on every tick it leases the due messages (a batch), makes one
// attempt at each and records the outcome — delivered on a 2xx, else retried on the schedule of
// retry-schedule.ts, then `failed`. The queue is in storage, so a restart loses nothing: a node
// that starts picks up whatever is due, including messages whose node died mid-attempt once their
// lease ends (at least once). The same tick sends key expiry warnings, at most once a minute.
// The clock is injected; ticks never overlap on one node.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DerivedSecrets } from '../crypto/master-key.js';
import type { KeyExpiryWarnings } from '../events/key-expiry-warnings.js';
import type { Storage } from '../storage/storage.js';
import type { WebhookDeliveryRecord } from '../storage/webhook-deliveries.js';
import { retryDelayMs } from './retry-schedule.js';
import { openWebhookSecret } from './webhook-secret.js';
import type { AttemptResult, WebhookSender } from './webhook-sender.js';
import { ATTEMPT_TIMEOUT_MS } from './webhook-sender.js';

const BATCH = 20;
/** Far longer than an attempt can take (10 s), so a live node never loses its lease mid-attempt; a dead node's messages are retried once it ends. */
const LEASE_MS = 12 * ATTEMPT_TIMEOUT_MS;
const EXPIRY_SCAN_EVERY_MS = 60_000;

export interface WebhookWorkerParts {
  storage: Storage;
  secrets: DerivedSecrets;
  sender: Pick<WebhookSender, 'send'>;
  expiryWarnings: KeyExpiryWarnings;
  logger: Logger;
  now: () => Date;
}

export class WebhookWorker {
  /** This node's name on the leases it takes. */
  readonly owner = `node_${randomUUID()}`;
  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;
  private lastExpiryScanMs = -Infinity;

  constructor(private readonly parts: WebhookWorkerParts) {}

  /** The timer's entry: skipped while a tick is still running. */
  poll(): void {
    if (!this.busy) void this.tick();
  }

  /** Resolves when the tick under way (if any) is over: shutdown waits for it before closing storage. */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Runs one tick after any tick under way; resolves with the attempts it made. */
  tick(): Promise<number> {
    const next = this.chain.then(() => this.runOnce());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runOnce(): Promise<number> {
    this.busy = true;
    try {
      await this.scanExpiringKeys();
      const now = this.parts.now();
      const leasedUntil = new Date(now.getTime() + LEASE_MS).toISOString();
      const due = await this.parts.storage.webhookDeliveries.claimDue(now.toISOString(), leasedUntil, this.owner, BATCH);
      await Promise.all(due.map((delivery) => this.attempt(delivery)));
      return due.length;
    } catch (error) {
      this.parts.logger.warn({ err: error }, 'webhook delivery tick failed');
      return 0;
    } finally {
      this.busy = false;
    }
  }

  /** At most once a minute; a scan that failed (storage busy or away) is tried again on the next tick. */
  private async scanExpiringKeys(): Promise<void> {
    const now = this.parts.now();
    if (now.getTime() - this.lastExpiryScanMs < EXPIRY_SCAN_EVERY_MS) return;
    try {
      await this.parts.expiryWarnings.run(now);
      this.lastExpiryScanMs = now.getTime();
    } catch (error) {
      this.parts.logger.warn({ err: error }, 'key expiry scan failed');
    }
  }

  private async attempt(delivery: WebhookDeliveryRecord): Promise<void> {
    const { storage, secrets, sender, logger } = this.parts;
    const [endpoint, event] = await Promise.all([storage.webhookEndpoints.findById(delivery.endpointId), storage.events.findById(delivery.eventId)]);
    if (!endpoint || !event) return; // deleted meanwhile: the cascade removes the row
    const secret = openWebhookSecret(secrets, endpoint);
    let result: AttemptResult;
    if (secret === null) {
      result = { ok: false, status: null, reason: 'secret_unreadable' };
    } else {
      const body = JSON.stringify({ id: event.id, type: event.type, created_at: event.createdAt, account_id: event.accountId, data: event.data });
      // The signature's timestamp is the wall clock: receivers compare it with theirs (replay window).
      result = await sender.send({ id: delivery.id, url: endpoint.url, secret, body, at: new Date() });
    }
    const at = this.parts.now();
    const attempts = delivery.attempt + 1;
    const delay = result.ok ? null : retryDelayMs(attempts);
    const outcome = {
      status: result.ok ? ('succeeded' as const) : delay === null ? ('failed' as const) : ('pending' as const),
      responseStatus: result.status,
      lastError: result.ok ? null : result.reason,
      nextAttemptAt: delay === null ? null : new Date(at.getTime() + delay).toISOString(),
    };
    const recorded = await storage.webhookDeliveries.recordAttempt(delivery.id, this.owner, outcome, at.toISOString());
    if (!result.ok) logger.info({ delivery: delivery.id, endpoint: endpoint.id, attempt: attempts, reason: result.reason, recorded }, 'webhook attempt failed');
  }
}
