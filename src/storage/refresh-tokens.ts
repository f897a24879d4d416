// Refresh token rows (RFC 9700 §4.14: rotation with reuse detection). Each use marks the row
// rotated and inserts its successor in the same family; the conditional updates make a race
// between two uses of one token resolve to exactly one winner.
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

export interface RefreshTokenRecord {
  id: string;
  userId: string;
  familyId: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  rotatedAt: string | null;
  replacedBy: string | null;
  revokedAt: string | null;
}

export class RefreshTokensRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(token: RefreshTokenRecord): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values(token)
      .execute();
  }

  async findById(id: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row;
  }

  /** Marks a live token rotated. False if it was already rotated or revoked (someone else won). */
  async markRotated(id: string, replacedBy: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ rotatedAt: at, replacedBy: replacedBy })
      .where('id', '=', id)
      .where('rotatedAt', 'is', null)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Moves the successor pointer of an already rotated token (used by the retry grace). */
  async replaceSuccessor(id: string, expected: string, replacedBy: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ replacedBy: replacedBy })
      .where('id', '=', id)
      .where('replacedBy', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes one token if it is still live and unused. */
  async revokeIfUnused(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ revokedAt: at })
      .where('id', '=', id)
      .where('rotatedAt', 'is', null)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes every token of the family not revoked yet; returns how many that was. */
  async revokeFamily(familyId: string, at: string): Promise<number> {
    const result = await this.db.updateTable('refresh_tokens').set({ revokedAt: at }).where('familyId', '=', familyId).where('revokedAt', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revokeAllForUser(userId: string, at: string): Promise<void> {
    await this.db.updateTable('refresh_tokens').set({ revokedAt: at }).where('userId', '=', userId).where('revokedAt', 'is', null).execute();
  }

  /** Families with at least one live (unrotated, unrevoked, unexpired) token. */
  async liveFamilies(userId: string, now: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('refresh_tokens')
      .select('familyId')
      .distinct()
      .where('userId', '=', userId)
      .where('rotatedAt', 'is', null)
      .where('revokedAt', 'is', null)
      .where('expiresAt', '>', now)
      .execute();
    return rows.map((r) => r.familyId);
  }

  async liveTokens(familyId: string, now: string): Promise<RefreshTokenRecord[]> {
    const rows = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('familyId', '=', familyId)
      .where('rotatedAt', 'is', null)
      .where('revokedAt', 'is', null)
      .where('expiresAt', '>', now)
      .execute();
    return rows;
  }
}
