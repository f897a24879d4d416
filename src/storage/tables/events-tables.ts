// Table types (stored, snake_case columns) of events and webhooks (SPEC §9, migration 012-webhooks):
// endpoints, the event log, the delivery queue and once-only notices.

export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  /** JSON list of event types. */
  events: string;
  /** credits.low fires when the balance falls below this (null: no credits.low threshold). */
  threshold: number | null;
  description: string | null;
  /** The signing secret, sealed under the master key (never returned after creation). */
  encrypted_secret: string;
  created_at: string;
  updated_at: string;
}

export interface EventsTable {
  id: string;
  account_id: string;
  type: string;
  /** JSON object. */
  data: string;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  /** The message id, sent as webhook-id on every attempt. */
  id: string;
  endpoint_id: string;
  event_id: string;
  account_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'failed';
  /** Attempts made so far. */
  attempt: number;
  response_status: number | null;
  /** A short, secret-free reason for the last failure (timeout, connect, blocked, http_500…). */
  last_error: string | null;
  next_attempt_at: string | null;
  leased_until: string | null;
  lease_owner: string | null;
  created_at: string;
  updated_at: string;
}

/** One row per notice that must go out once: key expiry warnings, model.unpriced per hour. */
export interface EventOncesTable {
  key: string;
  until: string;
  created_at: string;
}
