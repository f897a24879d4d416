// Request and response schemas of GET /api/v1/usage and GET /api/v1/usage/requests/{id} (SPEC §8).
import { Type } from '@sinclair/typebox';

/** A UTC day, or an instant (read to its hour): `from` and `to` bound hours, both included. */
const Bound = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}(:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?)?Z)?$',
  description: 'UTC day (YYYY-MM-DD: the whole day) or ISO 8601 UTC instant (its hour)',
});

export const UsageQuery = Type.Object({
  from: Type.Optional(Bound),
  to: Type.Optional(Bound),
  account_id: Type.Optional(Type.String({ maxLength: 64 })),
  key_id: Type.Optional(Type.String({ maxLength: 64 })),
  model: Type.Optional(Type.String({ maxLength: 256, description: 'a model name, or the path of a plain HTTP route' })),
  group_by: Type.Optional(
    Type.Union([Type.Literal('day'), Type.Literal('hour'), Type.Literal('key'), Type.Literal('model')], {
      description: 'one row per day, hour, key or model; without it, one row per day, key and model',
    }),
  ),
});

const Decimal = Type.String({ description: 'credits, as an exact decimal' });

/** A row names the dimensions it is grouped by (all of day, account_id, key_id and model without group_by). */
const UsageRow = Type.Object({
  day: Type.Optional(Type.String()),
  hour: Type.Optional(Type.String({ description: 'the hour’s first instant, ISO 8601 UTC' })),
  account_id: Type.Optional(Type.String()),
  key_id: Type.Optional(Type.String()),
  model: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  requests: Type.Integer(),
  errors: Type.Integer(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  credits: Type.Integer({ description: 'whole credits charged' }),
  exact_cost: Decimal,
});
const Totals = Type.Object({ requests: Type.Integer(), errors: Type.Integer(), input_tokens: Type.Integer(), output_tokens: Type.Integer(), credits: Type.Integer(), exact_cost: Decimal });
export const UsageOut = Type.Object({ from: Type.String(), to: Type.String(), group_by: Type.Optional(Type.String()), data: Type.Array(UsageRow), totals: Totals });

export const UsageRequestRecord = Type.Object({
  request_id: Type.String(),
  account_id: Type.String(),
  key_id: Type.String(),
  model: Type.Union([Type.String(), Type.Null()]),
  route: Type.Union([Type.String(), Type.Null()]),
  provider: Type.Union([Type.String(), Type.Null()]),
  target_model: Type.Union([Type.String(), Type.Null()]),
  status: Type.Integer(),
  outcome: Type.String(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  credits: Type.Integer({ description: 'whole credits charged with this request (fractions carry over per account)' }),
  exact_cost: Type.Union([Decimal, Type.Null()]),
  price: Type.Union([
    Type.Object({
      source: Type.String({ description: 'operator, config, catalog, route or unpriced_ceiling' }),
      input_per_mtok: Decimal,
      output_per_mtok: Decimal,
      per_request: Decimal,
    }),
    Type.Null(),
  ]),
  created_at: Type.String(),
});
