// Request and response schemas of /api/v1/auth/keys (the key settings are shared with /admin/keys).
import { Type } from '@sinclair/typebox';
import { MAX_ALLOWED_IPS } from '../../core/ip-allowlist.js';
import { MAX_METADATA_PAIRS, MAX_METADATA_VALUE_LENGTH, METADATA_NAME_PATTERN } from '../../core/metadata-pairs.js';
import { BudgetOut, NullableBudgetBody } from './budget-schemas.js';

export const KeyName = Type.Union([Type.String({ maxLength: 100 }), Type.Null()]);
export const Origins = Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 50 });
export const Scopes = Type.Array(Type.String({ pattern: '^[A-Za-z0-9:._/-]{1,64}$' }), { maxItems: 50 });
export const Models = Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 200 }), Type.Null()]);
/** Replaced whole on a patch; `[]` clears (no address rule). */
export const AllowedIps = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: MAX_ALLOWED_IPS });
/** Replaced whole on a patch; `{}` clears. */
export const MetadataPairs = Type.Record(Type.String({ pattern: METADATA_NAME_PATTERN }), Type.String({ maxLength: MAX_METADATA_VALUE_LENGTH }), {
  maxProperties: MAX_METADATA_PAIRS,
  additionalProperties: false,
});
export const ExpiresAt = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
export const RateLimit = Type.Union([
  Type.Object(
    {
      rpm: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
      tpm: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000_000 })),
      concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export const CreateKeyBody = Type.Object({
  name: Type.Optional(KeyName),
  expires_at: Type.Optional(ExpiresAt),
  allowed_origins: Type.Optional(Origins),
  scopes: Type.Optional(Scopes),
  models: Type.Optional(Models),
  rate_limit: Type.Optional(RateLimit),
  allowed_ips: Type.Optional(AllowedIps),
  metadata: Type.Optional(MetadataPairs),
  environment: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('test')])),
  is_default: Type.Optional(Type.Boolean()),
  budget: Type.Optional(NullableBudgetBody),
});

export const PatchKeyBody = Type.Object({
  name: Type.Optional(KeyName),
  expires_at: Type.Optional(ExpiresAt),
  allowed_origins: Type.Optional(Origins),
  scopes: Type.Optional(Scopes),
  models: Type.Optional(Models),
  rate_limit: Type.Optional(RateLimit),
  allowed_ips: Type.Optional(AllowedIps),
  metadata: Type.Optional(MetadataPairs),
  budget: Type.Optional(NullableBudgetBody),
});

export const RotateKeyBody = Type.Object({
  grace_period_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 24 * 3600 })),
});

export const KeyIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const metadataFields = {
  id: Type.String(),
  key_prefix: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  environment: Type.String(),
  created_at: Type.String(),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  is_active: Type.Boolean(),
  is_default: Type.Boolean(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
  allowed_origins: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  models: Type.Union([Type.Array(Type.String()), Type.Null()]),
  rate_limit: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  allowed_ips: Type.Array(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  rotated_from: Type.Union([Type.String(), Type.Null()]),
  budget: BudgetOut,
};

export const KeyMetadata = Type.Object(metadataFields);
export const CreatedKey = Type.Object({ ...metadataFields, key: Type.String() });
export const DecryptedKey = Type.Object({
  id: Type.String(),
  key: Type.String(),
  key_prefix: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  is_active: Type.Boolean(),
  is_default: Type.Boolean(),
});
