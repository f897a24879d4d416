// Validation of key settings shared by create and patch (and the admin plane), and the metadata
// shape every listing uses: never the key or its hash.
import { parseAllowedIp } from '../core/ip-allowlist.js';
import { caseClashingName } from '../core/metadata-pairs.js';
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
  allowed_ips?: string[] | undefined;
  metadata?: Record<string, string> | undefined;
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
  if (input.allowed_ips !== undefined) patch.allowedIps = allowedIps(input.allowed_ips);
  if (input.metadata !== undefined) patch.metadata = metadata(input.metadata);
  return patch;
}

/** Canonical blocks, deduplicated; an entry with host bits set is refused (see ip-allowlist.ts). */
function allowedIps(entries: readonly string[]): string[] {
  const cidrs = entries.map((entry, index) => {
    const parsed = parseAllowedIp(entry);
    if (!parsed.ok) throw invalidField(`allowed_ips/${index}`, parsed.problem);
    return parsed.cidr;
  });
  return [...new Set(cidrs)];
}

/** The schema checked names, sizes and types; names equal apart from case, and broken text, are refused here. */
function metadata(pairs: Record<string, string>): Record<string, string> {
  const clash = caseClashingName(pairs);
  if (clash !== null) throw invalidField(`metadata/${clash}`, 'repeats another name apart from case (forward-auth headers ignore case)');
  for (const [name, value] of Object.entries(pairs)) {
    // A lone UTF-16 surrogate cannot be written as UTF-8 (nor percent-encoded into a header).
    if (/\p{Surrogate}/u.test(value)) throw invalidField(`metadata/${name}`, 'must be valid Unicode text');
  }
  return { ...pairs };
}

/**
 * What a key patch's audit entry says: the fields sent, and the new address rule and metadata
 * (who opened a key to the world matters). A key never has a secret among its settings.
 */
export function keyChangeAudit(body: object, patch: ApiKeyPatch): Record<string, unknown> {
  return {
    fields: Object.keys(body),
    ...(patch.allowedIps !== undefined ? { allowed_ips: patch.allowedIps } : {}),
    ...(patch.metadata !== undefined ? { metadata: patch.metadata } : {}),
  };
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
    allowed_ips: key.allowedIps,
    metadata: key.metadata,
    rotated_from: key.rotatedFrom,
    budget,
  };
}
