// The one API-key check, in SPEC §4 order: key present → shape and checksum (no lookup at all) →
// cached lookup → revoked / expired / inactive creator → origin and client address. Every caller
// that accepts an API key goes through it over the same key cache: the data plane's key-check
// hook, the self-service routes (src/http/authenticate.ts), POST /api/v1/keys/verify and
// forward-auth. The cache is dropped by KeyEvents on this node and by RedisKeyBus on the others,
// so a revocation or a settings change reaches a key at once here and within the fan-out
// elsewhere, for every caller alike. A refusal is a value carrying its error code; only
// infrastructure failures throw.
import { ApiError } from '../core/errors.js';
import { parseKey } from '../core/key-format.js';
import { isIpAllowed } from '../core/ip-allowlist.js';
import { checkOrigin } from '../core/origins.js';
import { decideKey } from './key-service.js';
import type { CheckedKey } from '../storage/api-keys.js';
import type { KeyCache } from './key-cache.js';

export interface KeyRequest {
  /** The presented key (Authorization: Bearer wins over X-API-Key), if any. */
  credential: string | undefined;
  /** The request's Origin header, if any (undefined: no origin rule applies). */
  origin: string | undefined;
  /**
   * The client's address, as far as the caller can vouch for it (request.ip under
   * TOLLGATE_TRUST_PROXY, or the address a verifying service reports). Left out: unknown, and a key
   * with allowed_ips is refused — an address rule never passes for want of an address.
   */
  clientIp?: string | undefined;
}

export type KeyRefusal =
  | { ok: false; code: 'invalid_api_key'; reason: 'missing' | 'malformed' | 'bad_checksum' | 'wrong_prefix' | 'unknown' | 'revoked' | 'expired' | 'inactive_creator' }
  | { ok: false; code: 'origin_not_allowed'; reason: 'origin'; key: CheckedKey }
  | { ok: false; code: 'ip_not_allowed'; reason: 'ip'; key: CheckedKey; clientIp: string | undefined };

export type KeyVerdict = { ok: true; key: CheckedKey } | KeyRefusal;

export interface KeyVerifier {
  prefix: string;
  cache: Pick<KeyCache, 'lookup'>;
  hash(key: string): string;
}

export async function verifyKey(verifier: KeyVerifier, input: KeyRequest, now: Date): Promise<KeyVerdict> {
  if (!input.credential) return { ok: false, code: 'invalid_api_key', reason: 'missing' };

  const parsed = parseKey(input.credential, verifier.prefix);
  if (!parsed.ok) return { ok: false, code: 'invalid_api_key', reason: parsed.reason };

  const { record, creatorActive, allowedIps } = await verifier.cache.lookup(`key_${parsed.key.keyId}`);
  const decision = decideKey(record, record ? verifier.hash(input.credential) : '', now.toISOString());
  if (!decision.ok) return { ok: false, code: 'invalid_api_key', reason: decision.reason === 'revoked' || decision.reason === 'expired' ? decision.reason : 'unknown' };
  if (!creatorActive) return { ok: false, code: 'invalid_api_key', reason: 'inactive_creator' };

  if (checkOrigin(decision.key.allowedOrigins, input.origin) !== 'allowed') return { ok: false, code: 'origin_not_allowed', reason: 'origin', key: decision.key };
  if (!isIpAllowed(allowedIps, input.clientIp)) return { ok: false, code: 'ip_not_allowed', reason: 'ip', key: decision.key, clientIp: input.clientIp };
  return { ok: true, key: decision.key };
}

/**
 * The 403 for a key used from outside its allowed_ips, naming the address as Tollgate saw it: what
 * a caller needs to fix the list or the proxy setting (the address is the caller's own, no secret).
 */
export function ipNotAllowed(clientIp: string | undefined): ApiError {
  return new ApiError('ip_not_allowed', {
    message: clientIp ? `This key may not be used from ${clientIp}.` : 'This key is limited to certain client addresses and none was given (POST /api/v1/keys/verify takes it as "ip").',
  });
}
