// Refresh tokens: opaque `rtk_<id>.<secret>`, stored as an HMAC, 30 days, rotated on every use
// (RFC 9700 §4.14.2). Presenting a token that was already rotated revokes its whole family,
// except within a short grace window meant for a client retrying a refresh whose answer it lost:
// then the earlier successor is revoked and a new one issued, so a family never has two live tokens.
// A token revoked that way was handed out all the same: whoever presents it later (the victim
// whose fresh token a thief's replay superseded, or the thief) is reusing it, and the family ends.
// Presenting any revoked token of a family that still has live tokens revokes the family; once a
// family is wholly revoked (logout, password change) its tokens are merely invalid.
import { randomBase62 } from '../core/base62.js';
import { newId } from '../core/ids.js';
import { constantTimeEqualHex, hmacHex } from '../crypto/secret-hash.js';
import type { Storage } from '../storage/storage.js';

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
export const REFRESH_RETRY_GRACE_MS = 10_000;

export type RotateResult =
  | { ok: true; userId: string; token: string }
  | { ok: false; reason: 'invalid' | 'reused' };

function parse(token: string): { id: string } | null {
  const match = /^(rtk_[0-9A-Za-z]{16})\.[0-9A-Za-z]{32}$/.exec(token);
  return match ? { id: match[1]! } : null;
}

export class RefreshTokens {
  constructor(
    private readonly storage: Storage,
    private readonly secret: Buffer,
  ) {}

  async issue(userId: string, familyId = newId('fam'), now = new Date()): Promise<{ id: string; token: string }> {
    const id = newId('rtk');
    const token = `${id}.${randomBase62(32)}`;
    await this.storage.refreshTokens.insert({
      id,
      userId,
      familyId,
      tokenHash: hmacHex(this.secret, token),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS).toISOString(),
      rotatedAt: null,
      replacedBy: null,
      revokedAt: null,
    });
    return { id, token };
  }

  private async find(token: string) {
    const parsed = parse(token);
    if (!parsed) return undefined;
    const record = await this.storage.refreshTokens.findById(parsed.id);
    if (!record || !constantTimeEqualHex(record.tokenHash, hmacHex(this.secret, token))) return undefined;
    return record;
  }

  async rotate(token: string, now = new Date()): Promise<RotateResult> {
    const record = await this.find(token);
    const at = now.toISOString();
    if (!record || record.expiresAt <= at) return { ok: false, reason: 'invalid' };
    if (record.revokedAt !== null) return this.reused(record.familyId, at);

    if (record.rotatedAt === null) {
      const next = await this.issue(record.userId, record.familyId, now);
      if (await this.storage.refreshTokens.markRotated(record.id, next.id, at)) {
        return { ok: true, userId: record.userId, token: next.token };
      }
      // Lost the race to a parallel use of the same token: withdraw ours and treat it as a retry.
      await this.storage.refreshTokens.revokeIfUnused(next.id, at);
      return this.retry(token, now);
    }
    return this.retry(token, now);
  }

  /** A rotated token presented again: a retry within the grace window, otherwise reuse. */
  private async retry(token: string, now: Date): Promise<RotateResult> {
    const record = await this.find(token);
    const at = now.toISOString();
    if (!record || record.rotatedAt === null || record.replacedBy === null) return { ok: false, reason: 'invalid' };
    if (record.revokedAt !== null) return this.reused(record.familyId, at);
    const withinGrace = now.getTime() - Date.parse(record.rotatedAt) <= REFRESH_RETRY_GRACE_MS;
    const successor = record.replacedBy;
    if (withinGrace && (await this.storage.refreshTokens.revokeIfUnused(successor, at))) {
      const next = await this.issue(record.userId, record.familyId, now);
      if (await this.storage.refreshTokens.replaceSuccessor(record.id, successor, next.id)) {
        return { ok: true, userId: record.userId, token: next.token };
      }
      await this.storage.refreshTokens.revokeIfUnused(next.id, at);
    }
    return this.reused(record.familyId, at);
  }

  /** Reuse of a rotated or superseded token (RFC 9700 §4.14.2): the family may be stolen; end all of it. */
  private async reused(familyId: string, at: string): Promise<RotateResult> {
    const revoked = await this.storage.refreshTokens.revokeFamily(familyId, at);
    return { ok: false, reason: revoked > 0 ? 'reused' : 'invalid' };
  }

  /** Logout: revokes the family of the given token. Unknown tokens are ignored (logout is idempotent). */
  async revokeFamilyOf(token: string, now = new Date()): Promise<{ userId: string } | null> {
    const record = await this.find(token);
    if (!record) return null;
    await this.storage.refreshTokens.revokeFamily(record.familyId, now.toISOString());
    return { userId: record.userId };
  }
}
