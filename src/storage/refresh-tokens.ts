// Refresh token rows (RFC 9700 §4.14: rotation with reuse detection). Each use marks the row
// rotated and inserts its successor in the same family; the conditional updates make a race
// between two uses of one token resolve to exactly one winner.
import type { Kysely, Selectable } from 'kysely';
import type { Database, RefreshTokensTable } from './schema.js';

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

function toRecord(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    familyId: row.family_id,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    rotatedAt: row.rotated_at,
    replacedBy: row.replaced_by,
    revokedAt: row.revoked_at,
  };
}

export class RefreshTokensRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: RefreshTokenRecord): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({
        id: token.id,
        user_id: token.userId,
        family_id: token.familyId,
        token_hash: token.tokenHash,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        rotated_at: token.rotatedAt,
        replaced_by: token.replacedBy,
        revoked_at: token.revokedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Marks a live token rotated. False if it was already rotated or revoked (someone else won). */
  async markRotated(id: string, replacedBy: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ rotated_at: at, replaced_by: replacedBy })
      .where('id', '=', id)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Moves the successor pointer of an already rotated token (used by the retry grace). */
  async replaceSuccessor(id: string, expected: string, replacedBy: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ replaced_by: replacedBy })
      .where('id', '=', id)
      .where('replaced_by', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes one token if it is still live and unused. */
  async revokeIfUnused(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes every token of the family not revoked yet; returns how many that was. */
  async revokeFamily(familyId: string, at: string): Promise<number> {
    const result = await this.db.updateTable('refresh_tokens').set({ revoked_at: at }).where('family_id', '=', familyId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revokeAllForUser(userId: string, at: string): Promise<void> {
    await this.db.updateTable('refresh_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  }

  /** Families with at least one live (unrotated, unrevoked, unexpired) token. */
  async liveFamilies(userId: string, now: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('refresh_tokens')
      .select('family_id')
      .distinct()
      .where('user_id', '=', userId)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    return rows.map((r) => r.family_id);
  }

  async liveTokens(familyId: string, now: string): Promise<RefreshTokenRecord[]> {
    const rows = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('family_id', '=', familyId)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    return rows.map(toRecord);
  }
}
