// The key check of every data-plane request, in SPEC §4 order: key present → shape and checksum
// (no lookup at all) → cached lookup → revoked / expired / inactive → origin. Shared by the
// OpenAI-compatible endpoints, plain HTTP routes, POST /api/v1/keys/verify and forward-auth.
// A refusal is a value carrying its error code; only infrastructure failures throw.
import { parseKey } from '../core/key-format.js';
import { checkOrigin } from '../core/origins.js';
import { decideKey } from './key-service.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import type { KeyCache } from './key-cache.js';

export interface KeyRequest {
  /** The presented key (Authorization: Bearer wins over X-API-Key), if any. */
  credential: string | undefined;
  /** The request's Origin header, if any. */
  origin: string | undefined;
}

export type KeyRefusal =
  | { ok: false; code: 'invalid_api_key'; reason: 'missing' | 'malformed' | 'bad_checksum' | 'wrong_prefix' | 'unknown' | 'revoked' | 'expired' | 'inactive_creator' }
  | { ok: false; code: 'origin_not_allowed'; reason: 'origin'; key: ApiKeyRecord };

export type KeyRequestCheck = { ok: true; key: ApiKeyRecord } | KeyRefusal;

export interface KeyVerifier {
  prefix: string;
  cache: KeyCache;
  hash(key: string): string;
}

export async function verifyKeyRequest(verifier: KeyVerifier, input: KeyRequest, now: Date): Promise<KeyRequestCheck> {
  if (!input.credential) return { ok: false, code: 'invalid_api_key', reason: 'missing' };

  const parsed = parseKey(input.credential, verifier.prefix);
  if (!parsed.ok) return { ok: false, code: 'invalid_api_key', reason: parsed.reason };

  const { record, creatorActive } = await verifier.cache.lookup(`key_${parsed.key.keyId}`);
  const decision = decideKey(record, record ? verifier.hash(input.credential) : '', now.toISOString());
  if (!decision.ok) return { ok: false, code: 'invalid_api_key', reason: decision.reason === 'revoked' || decision.reason === 'expired' ? decision.reason : 'unknown' };
  if (!creatorActive) return { ok: false, code: 'invalid_api_key', reason: 'inactive_creator' };

  if (checkOrigin(decision.key.allowedOrigins, input.origin) !== 'allowed') return { ok: false, code: 'origin_not_allowed', reason: 'origin', key: decision.key };
  return { ok: true, key: decision.key };
}
