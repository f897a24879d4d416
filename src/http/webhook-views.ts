// How webhook endpoints and deliveries read on the wire (snake_case, SPEC §9), shared by the admin
// plane and the account routes. The signing secret is never part of a view.
import type { WebhookDeliveryRecord } from '../storage/webhook-deliveries.js';
import type { WebhookEndpointRecord } from '../storage/webhook-endpoints.js';

export function webhookView(endpoint: WebhookEndpointRecord) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    threshold: endpoint.threshold,
    description: endpoint.description,
    created_at: endpoint.createdAt,
    updated_at: endpoint.updatedAt,
  };
}

export function deliveryView(delivery: WebhookDeliveryRecord) {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    attempt: delivery.attempt,
    status: delivery.status,
    response_status: delivery.responseStatus,
    created_at: delivery.createdAt,
    next_attempt_at: delivery.nextAttemptAt,
  };
}
