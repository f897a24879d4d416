// Request and response schemas of the provider, alias and route CRUD (admin and operator planes).
// Responses never carry a provider secret: the schemas have no field for one (`has_secret` only).
import { Type } from '@sinclair/typebox';
import { Scopes } from '../http/schemas/key-schemas.js';

export const ProviderName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'Used in aliases and as the `provider/` of `provider/model`.' });
const ModelName = Type.String({ minLength: 1, maxLength: 128 });
const BaseUrl = Type.String({ minLength: 8, maxLength: 2048, description: 'http(s) base URL, e.g. https://api.openai.com/v1' });
const Secret = Type.String({ minLength: 1, maxLength: 4096, description: 'Sent upstream as a bearer token; write-only.' });
const Direct = Type.Boolean({ description: 'Server-wide providers: any key may call it as `provider/model` (priced as that target). Off by default: only aliases reach it. Not settable on account providers, which always resolve directly.' });
const OutputCapFieldSchema = Type.Union([Type.Literal('max_completion_tokens'), Type.Literal('max_tokens')], {
  description: 'The chat field the upstream honours for the output cap; Tollgate forwards the cap in it and never sends the other (default max_completion_tokens).',
});
const Timestamps = { created_at: Type.String(), updated_at: Type.String() };
const Owner = { account_id: Type.Union([Type.String(), Type.Null()]) };

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const CreateProviderBody = Type.Object({
  name: ProviderName,
  type: Type.Union([Type.Literal('openai'), Type.Literal('http')]),
  base_url: BaseUrl,
  api_key: Type.Optional(Secret),
  models: Type.Optional(Type.Union([Type.Array(ModelName, { maxItems: 500 }), Type.Null()])),
  direct: Type.Optional(Direct),
  output_cap_field: Type.Optional(OutputCapFieldSchema),
});

export const PatchProviderBody = Type.Object({
  base_url: Type.Optional(BaseUrl),
  api_key: Type.Optional(Type.Union([Secret, Type.Null()])),
  models: Type.Optional(Type.Union([Type.Array(ModelName, { maxItems: 500 }), Type.Null()])),
  direct: Type.Optional(Direct),
  output_cap_field: Type.Optional(OutputCapFieldSchema),
});

export const ProviderOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  base_url: Type.String(),
  models: Type.Union([Type.Array(Type.String()), Type.Null()]),
  has_secret: Type.Boolean(),
  direct: Type.Boolean(),
  output_cap_field: Type.String(),
  ...Owner,
  ...Timestamps,
});

const TargetIn = Type.Object(
  { provider: ProviderName, model: ModelName, weight: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })) },
  { additionalProperties: false },
);

export const CreateAliasBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\s]+$' }),
  strategy: Type.Optional(Type.Union([Type.Literal('fallback'), Type.Literal('weighted')])),
  targets: Type.Array(TargetIn, { minItems: 1, maxItems: 16 }),
});

export const PatchAliasBody = Type.Object({
  strategy: Type.Optional(Type.Union([Type.Literal('fallback'), Type.Literal('weighted')])),
  targets: Type.Optional(Type.Array(TargetIn, { minItems: 1, maxItems: 16 })),
});

export const AliasOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  strategy: Type.String(),
  targets: Type.Array(Type.Object({ provider: Type.String(), model: Type.String(), weight: Type.Optional(Type.Number()) })),
  ...Owner,
  ...Timestamps,
});

const Method = Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => Type.Literal(m)));

export const CreateRouteBody = Type.Object({
  path: Type.String({ minLength: 2, maxLength: 256, pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]+$" }),
  provider: ProviderName,
  methods: Type.Optional(Type.Array(Method, { minItems: 1, maxItems: 7 })),
  scopes: Type.Optional(Scopes),
  cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
});

export const PatchRouteBody = Type.Object({
  provider: Type.Optional(ProviderName),
  methods: Type.Optional(Type.Array(Method, { minItems: 1, maxItems: 7 })),
  scopes: Type.Optional(Scopes),
  cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
});

export const RouteOut = Type.Object({
  id: Type.String(),
  path: Type.String(),
  provider: Type.String(),
  methods: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  cost: Type.Integer(),
  ...Owner,
  ...Timestamps,
});
