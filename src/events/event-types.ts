// The event catalogue (SPEC §9): every type an account's webhooks may subscribe to. Pure.
export const EVENT_TYPES = [
  'key.created',
  'key.revoked',
  'key.rotated',
  'key.expiring',
  'key.leaked',
  'credits.low',
  'budget.threshold',
  'model.unpriced',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** What a receiver gets as the body of every attempt: `{id, type, created_at, account_id, data}`. */
export interface EventPayload {
  id: string;
  type: EventType;
  created_at: string;
  account_id: string;
  data: Record<string, unknown>;
}
