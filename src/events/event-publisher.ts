// Publishing an event (SPEC §9): the event is stored, and one delivery per endpoint of the account
// subscribed to its type is queued, in the caller's transaction when one is given — so an event and
// the change it reports commit together, or neither does. Delivery is the worker's job
// (src/webhooks/webhook-worker.ts); publishing never waits on a receiver.
import { newId } from '../core/ids.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';
import type { WebhookEndpointRecord } from '../storage/webhook-endpoints.js';
import type { EventType } from './event-types.js';

export interface EventPublisher {
  publish(accountId: string, type: EventType, data: Record<string, unknown>, tx?: StorageTransaction): Promise<void>;
}

/** Which of the account's subscribed endpoints get this event (all of them unless told otherwise). */
export type EndpointFilter = (endpoint: WebhookEndpointRecord) => boolean;

export class StoredEventPublisher implements EventPublisher {
  constructor(
    private readonly storage: Storage,
    private readonly now: () => Date,
  ) {}

  async publish(accountId: string, type: EventType, data: Record<string, unknown>, tx?: StorageTransaction): Promise<void> {
    await this.publishTo(accountId, type, data, () => true, tx);
  }

  /** Publishes to the subscribed endpoints `filter` keeps; nothing is stored when none is. Returns how many. */
  async publishTo(accountId: string, type: EventType, data: Record<string, unknown>, filter: EndpointFilter, tx?: StorageTransaction): Promise<number> {
    if (!tx) return this.storage.transaction((own) => this.publishTo(accountId, type, data, filter, own));
    const endpoints = (await tx.webhookEndpoints.listByAccount(accountId)).filter((e) => e.events.includes(type) && filter(e));
    // An event no endpoint listens for is not kept: there is no event log to read it from (yet).
    if (endpoints.length === 0) return 0;
    const at = this.now().toISOString();
    const eventId = newId('evt');
    await tx.events.insert({ id: eventId, accountId, type, data, createdAt: at });
    for (const endpoint of endpoints) {
      await tx.webhookDeliveries.insert({
        id: newId('msg'),
        endpointId: endpoint.id,
        eventId,
        accountId,
        eventType: type,
        status: 'pending',
        attempt: 0,
        responseStatus: null,
        lastError: null,
        nextAttemptAt: at,
        leasedUntil: null,
        leaseOwner: null,
        createdAt: at,
        updatedAt: at,
      });
    }
    return endpoints.length;
  }
}
