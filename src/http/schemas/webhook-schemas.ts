// Request and response schemas of the webhook routes (SPEC §9), under /admin/webhooks and
// /api/v1/accounts/{id}/webhooks alike. Bodies are closed: an unknown field is a 422.
import { Type } from '@sinclair/typebox';
import { EVENT_TYPES } from '../../events/event-types.js';

const EventTypeSchema = Type.Union(EVENT_TYPES.map((type) => Type.Literal(type)));
const Events = Type.Array(EventTypeSchema, { minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true });
const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Threshold = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Description = Type.String({ maxLength: 500 });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

export const CreateWebhookBody = Type.Object(
  { url: Url, events: Events, threshold: Type.Optional(Threshold), description: Type.Optional(Description) },
  { additionalProperties: false },
);

export const PatchWebhookBody = Type.Object(
  { url: Type.Optional(Url), events: Type.Optional(Events), threshold: Type.Optional(Nullable(Threshold)), description: Type.Optional(Nullable(Description)) },
  { additionalProperties: false },
);

export const WebhookOut = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  threshold: Nullable(Type.Integer()),
  description: Nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export const CreatedWebhook = Type.Intersect([WebhookOut, Type.Object({ secret: Type.String() })]);
export const WebhookList = Type.Object({ webhooks: Type.Array(WebhookOut) });

export const DeliveryOut = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  attempt: Type.Integer(),
  status: Type.String(),
  response_status: Nullable(Type.Integer()),
  created_at: Type.String(),
  next_attempt_at: Nullable(Type.String()),
});
export const DeliveryList = Type.Object({ deliveries: Type.Array(DeliveryOut) });

export const AdminWebhookParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const AdminDeliveryParams = Type.Object({ id: Type.String({ maxLength: 64 }), delivery_id: Type.String({ maxLength: 64 }) });
export const AccountWebhookParams = Type.Object({ id: Type.String({ maxLength: 64 }), webhook_id: Type.String({ maxLength: 64 }) });
export const AccountDeliveryParams = Type.Object({ id: Type.String({ maxLength: 64 }), webhook_id: Type.String({ maxLength: 64 }), delivery_id: Type.String({ maxLength: 64 }) });
