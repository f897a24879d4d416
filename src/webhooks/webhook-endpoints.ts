// An account's webhook endpoints and their deliveries (SPEC §9), for the admin plane and the
// account routes alike (they differ only in who the caller is). The signing secret is returned by
// create only; every write is audited in its own transaction. Another account's endpoint or
// delivery is "not found", like any object the caller cannot see.
import { ChangeEvents } from '../core/change-events.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { invalidField } from '../core/validation-error.js';
import { assertAllowedUpstream } from '../catalog/upstream-address-check.js';
import type { DerivedSecrets } from '../crypto/master-key.js';
import type { EventType } from '../events/event-types.js';
import type { AuditInput } from '../storage/audit-events.js';
import type { Storage } from '../storage/storage.js';
import type { WebhookDeliveryRecord } from '../storage/webhook-deliveries.js';
import type { WebhookEndpointPatch, WebhookEndpointRecord } from '../storage/webhook-endpoints.js';
import { newWebhookSecret, sealWebhookSecret } from './webhook-secret.js';

export const MAX_ENDPOINTS_PER_ACCOUNT = 50;
const DELIVERY_PAGE = 100;

export interface WebhookInput {
  url: string;
  events: EventType[];
  threshold?: number | null | undefined;
  description?: string | null | undefined;
}

/** Who acts, for the audit trail. */
export interface WebhookActor {
  accountId: string;
  actorType: AuditInput['actorType'];
  actorId: string;
  requestId: string;
}

const noSuchWebhook = () => new ApiError('not_found', { message: 'No such webhook.' });

export class WebhookEndpoints {
  private readonly changes = new ChangeEvents();

  constructor(
    private readonly storage: Storage,
    private readonly secrets: DerivedSecrets,
    private readonly options: { allowPrivate: boolean; now: () => Date },
  ) {}

  /** Called after an endpoint of the account was created, changed or deleted (what watches its balance may differ). */
  onChanged(listener: (accountId: string) => void): () => void {
    return this.changes.onChanged(listener);
  }

  private changed(accountId: string): void {
    this.changes.changed(accountId);
  }

  async create(actor: WebhookActor, input: WebhookInput): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    const url = await this.checkedUrl(input.url);
    requireThreshold(input.events, input.threshold ?? null);
    if ((await this.storage.webhookEndpoints.listByAccount(actor.accountId)).length >= MAX_ENDPOINTS_PER_ACCOUNT) {
      throw new ApiError('conflict', { message: `An account may have at most ${MAX_ENDPOINTS_PER_ACCOUNT} webhooks.`, suggestion: 'Delete webhooks you no longer use.' });
    }
    const at = this.options.now().toISOString();
    const id = newId('whk');
    const secret = newWebhookSecret();
    const endpoint: WebhookEndpointRecord = {
      id,
      accountId: actor.accountId,
      url,
      events: [...input.events],
      threshold: input.threshold ?? null,
      description: input.description ?? null,
      encryptedSecret: sealWebhookSecret(this.secrets, id, actor.accountId, secret),
      createdAt: at,
      updatedAt: at,
    };
    await this.storage.transaction(async (tx) => {
      await tx.webhookEndpoints.insert(endpoint);
      await tx.audit.record({ ...actor, action: 'webhook.created', targetType: 'webhook', targetId: id, data: { url, events: endpoint.events } });
    });
    this.changed(actor.accountId);
    return { endpoint, secret };
  }

  async list(accountId: string): Promise<WebhookEndpointRecord[]> {
    return this.storage.webhookEndpoints.listByAccount(accountId);
  }

  async get(accountId: string, id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await this.storage.webhookEndpoints.findById(id);
    if (!endpoint || endpoint.accountId !== accountId) throw noSuchWebhook();
    return endpoint;
  }

  async update(actor: WebhookActor, id: string, patch: Partial<WebhookInput>): Promise<WebhookEndpointRecord> {
    const current = await this.get(actor.accountId, id);
    const changes: WebhookEndpointPatch = {};
    if (patch.url !== undefined) changes.url = await this.checkedUrl(patch.url);
    if (patch.events !== undefined) changes.events = [...patch.events];
    if (patch.threshold !== undefined) changes.threshold = patch.threshold;
    if (patch.description !== undefined) changes.description = patch.description;
    requireThreshold(changes.events ?? current.events, changes.threshold !== undefined ? changes.threshold : current.threshold);
    const updated = await this.storage.transaction(async (tx) => {
      const row = await tx.webhookEndpoints.update(id, changes, this.options.now().toISOString());
      await tx.audit.record({ ...actor, action: 'webhook.updated', targetType: 'webhook', targetId: id, data: { fields: Object.keys(changes) } });
      return row;
    });
    this.changed(actor.accountId);
    if (!updated) throw noSuchWebhook();
    return updated;
  }

  async delete(actor: WebhookActor, id: string): Promise<void> {
    await this.get(actor.accountId, id);
    await this.storage.transaction(async (tx) => {
      if (await tx.webhookEndpoints.delete(id)) await tx.audit.record({ ...actor, action: 'webhook.deleted', targetType: 'webhook', targetId: id });
    });
    this.changed(actor.accountId);
  }

  /** The endpoint's most recent deliveries, newest first. */
  async deliveries(accountId: string, id: string): Promise<WebhookDeliveryRecord[]> {
    await this.get(accountId, id);
    return this.storage.webhookDeliveries.listByEndpoint(id, DELIVERY_PAGE);
  }

  /** Queues an immediate attempt of one message (the same webhook-id as before). */
  async retry(actor: WebhookActor, id: string, deliveryId: string): Promise<WebhookDeliveryRecord> {
    await this.get(actor.accountId, id);
    const delivery = await this.storage.webhookDeliveries.findById(deliveryId);
    if (!delivery || delivery.endpointId !== id) throw new ApiError('not_found', { message: 'No such delivery.' });
    const queued = await this.storage.transaction(async (tx) => {
      const row = await tx.webhookDeliveries.requeue(deliveryId, this.options.now().toISOString());
      await tx.audit.record({ ...actor, action: 'webhook.delivery_retried', targetType: 'webhook_delivery', targetId: deliveryId });
      return row;
    });
    if (!queued) throw new ApiError('not_found', { message: 'No such delivery.' });
    return queued;
  }

  /** SPEC §7's upstream rules; the URL is kept as given (normalised by URL parsing, trailing slash kept). */
  private async checkedUrl(url: string): Promise<string> {
    await assertAllowedUpstream(url, this.options.allowPrivate, 'url');
    return new URL(url).toString();
  }
}

/** credits.low is about a threshold: subscribing to it without one would never fire. */
function requireThreshold(events: readonly string[], threshold: number | null): void {
  if (events.includes('credits.low') && threshold === null) throw invalidField('threshold', 'is required when subscribing to credits.low');
}
