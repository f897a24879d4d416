// Validation of key settings shared by create and patch (and the admin plane), and the metadata
// shape every listing uses: never the key or its hash.
import { normalizeOrigin } from '../core/origins.js';
import { invalidField } from '../core/validation-error.js';
import { isKeyActive } from '../core/key-state.js';
import type { ApiKeyPatch, ApiKeyRecord, KeyRateLimit } from '../storage/api-keys.js';
import type { BudgetView } from '../credits/budgets.js';

interface SettingsInput {
  expires_at?: string | null | undefined;
  allowed_origins?: string[] | undefined;
  scopes?: string[] | undefined;
  models?: string[] | null | undefined;
  rate_limit?: KeyRateLimit | null | undefined;
}

/** Checks what a schema cannot (future expiry, bare origins) and returns the patch to store. */
export function validateKeySettings(input: SettingsInput, now: Date): ApiKeyPatch {
  const patch: ApiKeyPatch = {};
  if (input.expires_at !== undefined) {
    if (input.expires_at === null) patch.expiresAt = null;
    else {
      const at = new Date(input.expires_at);
      if (Number.isNaN(at.getTime()) || at.getTime() <= now.getTime()) throw invalidField('expires_at', 'must be a time in the future');
      patch.expiresAt = at.toISOString();
    }
  }
  if (input.allowed_origins !== undefined) {
    patch.allowedOrigins = input.allowed_origins.map((origin, index) => {
      const normalized = normalizeOrigin(origin);
      if (normalized === null) throw invalidField(`allowed_origins/${index}`, 'must be a full origin like https://app.example.com (no path, no wildcard)');
      return normalized;
    });
    patch.allowedOrigins = [...new Set(patch.allowedOrigins)];
  }
  if (input.scopes !== undefined) patch.scopes = [...new Set(input.scopes)];
  if (input.models !== undefined) patch.models = input.models === null ? null : [...new Set(input.models)];
  if (input.rate_limit !== undefined) patch.rateLimit = input.rate_limit;
  return patch;
}

/** `budget`: the key's budget as read now (src/credits/budgets.ts), or null when it has none. */
export function keyMetadata(key: ApiKeyRecord, now: Date, budget: BudgetView | null) {
  return {
    id: key.id,
    key_prefix: key.keyPrefix,
    name: key.name,
    environment: key.environment,
    created_at: key.createdAt,
    last_used_at: key.lastUsedAt,
    expires_at: key.expiresAt,
    is_active: isKeyActive(key, now.toISOString()),
    is_default: key.isDefault,
    revoked_at: key.revokedAt,
    allowed_origins: key.allowedOrigins,
    scopes: key.scopes,
    models: key.models,
    rate_limit: key.rateLimit,
    rotated_from: key.rotatedFrom,
    budget,
  };
}
