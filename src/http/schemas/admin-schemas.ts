// Request and response schemas of the admin plane's keys and audit routes. The key shapes are the
// seed-compatible ones of SPEC §4 and are fixed: response schemas drop anything else.
import { Type } from '@sinclair/typebox';
import { AllowedIps, ExpiresAt, MetadataPairs, Models, Origins, Scopes } from './key-schemas.js';
import { BudgetOut, NullableBudgetBody } from './budget-schemas.js';

export const CreateAdminKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  expires_at: Type.Optional(ExpiresAt),
  allowed_origins: Type.Optional(Origins),
  scopes: Type.Optional(Scopes),
  models: Type.Optional(Models),
  allowed_ips: Type.Optional(AllowedIps),
  metadata: Type.Optional(MetadataPairs),
  environment: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('test')])),
  budget: Type.Optional(NullableBudgetBody),
});

/**
 * A patch names only what changes: the create body's fields, every one optional, less the
 * environment (fixed at creation). `allowed_ips` and `metadata` are replaced whole (`[]`, `{}` clear).
 */
export const PatchAdminKeyBody = Type.Partial(Type.Omit(CreateAdminKeyBody, ['environment']));

const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);

// The key settings of SPEC §8 ride along on every read (extra fields are allowed by SPEC §4).
const settingsFields = {
  allowed_ips: Type.Array(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
};

export const CreatedAdminKey = Type.Object({
  key: Type.Object({
    id: Type.String(),
    name: Nullable(Type.String()),
    prefix: Type.String(),
    enabled: Type.Boolean(),
    created_at: Type.String(),
    ...settingsFields,
    budget: BudgetOut,
  }),
  secret: Type.String(),
});

export const AdminKey = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  prefix: Type.String(),
  enabled: Type.Boolean(),
  created_at: Type.String(),
  last_used_at: Nullable(Type.String()),
  revoked_at: Nullable(Type.String()),
  ...settingsFields,
  budget: BudgetOut,
});

export const AdminKeyList = Type.Object({
  keys: Type.Array(AdminKey),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as `cursor` for the next page; null on the last' }),
});

export const AdminKeyParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  /** `next_cursor` of the previous page. */
  before: Type.Optional(Type.String({ maxLength: 32, pattern: '^[0-9]+$' })),
});

export const AuditPageOut = Type.Object({
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      actor_type: Type.String(),
      actor_id: Nullable(Type.String()),
      action: Type.String(),
      target_type: Nullable(Type.String()),
      target_id: Nullable(Type.String()),
      data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
      request_id: Nullable(Type.String()),
      created_at: Type.String(),
    }),
  ),
  next_cursor: Nullable(Type.String()),
});
