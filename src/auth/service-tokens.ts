// Service tokens: `tgs_<id>.<secret>` (16 + 43 base62 chars, ≥ 256 bits of secret), org-scoped
// credentials for the admin plane only. Stored as an HMAC under the token secret and compared in
// constant time. The `tgs_` prefix keeps them apart from API keys (`{prefix}_{env}_…`) and refresh
// tokens (`rtk_…`) at a glance, and gives secret scanners a pattern to look for.
//
// SECURITY: a token is shown once, at creation. Whoever holds it can act on the account's admin
// plane (mint org keys, read the audit trail) until it is revoked or expires; it never works on the
// data plane or on /api/v1/auth/*.
import { randomBase62 } from '../core/base62.js';
import { constantTimeEqualHex, hmacHex } from '../crypto/secret-hash.js';
import type { ServiceTokenRecord } from '../storage/service-tokens.js';
import type { StorageTransaction } from '../storage/storage.js';

const TOKEN_PATTERN = /^tgs_([0-9A-Za-z]{16})\.[0-9A-Za-z]{43}$/;

export type ServiceTokenCheck =
  | { ok: true; token: ServiceTokenRecord }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' | 'creator_inactive' };

/** Cheap shape test (no lookup): does this credential claim to be a service token? */
export function looksLikeServiceToken(credential: string): boolean {
  return credential.startsWith('tgs_');
}

export class ServiceTokens {
  constructor(
    private readonly storage: StorageTransaction,
    private readonly secret: Buffer,
  ) {}

  /** The same service over another storage handle (a transaction). */
  withStorage(storage: StorageTransaction): ServiceTokens {
    return new ServiceTokens(storage, this.secret);
  }

  async issue(input: { accountId: string; createdBy: string | null; name: string; expiresAt: string | null }, now = new Date()): Promise<{ record: ServiceTokenRecord; token: string }> {
    const idPart = randomBase62(16);
    const token = `tgs_${idPart}.${randomBase62(43)}`;
    const at = now.toISOString();
    const record: ServiceTokenRecord = {
      id: `svc_${idPart}`,
      accountId: input.accountId,
      createdBy: input.createdBy,
      name: input.name,
      tokenPrefix: `tgs_${idPart}`,
      tokenHash: hmacHex(this.secret, token),
      expiresAt: input.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: at,
      updatedAt: at,
    };
    await this.storage.serviceTokens.insert(record);
    return { record, token };
  }

  /**
   * Shape first (no lookup), then the row, a constant-time hash comparison, revocation, expiry,
   * and the creator: a token minted by a since-deactivated user stops with the rest of their
   * credentials. Every call reads storage, so a revocation applies on every node at once.
   */
  async check(candidate: string, now = new Date()): Promise<ServiceTokenCheck> {
    const match = TOKEN_PATTERN.exec(candidate);
    if (!match) return { ok: false, reason: 'malformed' };
    const record = await this.storage.serviceTokens.findById(`svc_${match[1]}`);
    if (!record || !constantTimeEqualHex(record.tokenHash, hmacHex(this.secret, candidate))) return { ok: false, reason: 'unknown' };
    const at = now.toISOString();
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (record.expiresAt !== null && record.expiresAt <= at) return { ok: false, reason: 'expired' };
    if (record.createdBy !== null) {
      const creator = await this.storage.users.findById(record.createdBy);
      if (!creator || !creator.isActive) return { ok: false, reason: 'creator_inactive' };
    }
    await this.storage.serviceTokens.touchLastUsed(record.id, at);
    return { ok: true, token: record };
  }
}
