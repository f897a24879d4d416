// Service token rows. Only the HMAC of a token is stored; `token_prefix` (the public id part) is
// what listings show. Revocation is a timestamp, never a delete, so the audit trail can name it.
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

export interface ServiceTokenRecord {
  id: string;
  accountId: string;
  createdBy: string | null;
  name: string;
  tokenPrefix: string;
  tokenHash: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export class ServiceTokensRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(token: ServiceTokenRecord): Promise<void> {
    await this.db
      .insertInto('service_tokens')
      .values(token)
      .execute();
  }

  async findById(id: string): Promise<ServiceTokenRecord | undefined> {
    const row = await this.db.selectFrom('service_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row;
  }

  /** The account's tokens, oldest first (revoked ones included: the listing shows their state). */
  async listByAccount(accountId: string): Promise<ServiceTokenRecord[]> {
    const rows = await this.db
      .selectFrom('service_tokens')
      .selectAll()
      .where('accountId', '=', accountId)
      .orderBy('createdAt', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows;
  }

  async countActive(accountId: string, now: string): Promise<number> {
    const { count } = await this.db
      .selectFrom('service_tokens')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('accountId', '=', accountId)
      .where('revokedAt', 'is', null)
      .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** Revokes a live token. False if it was already revoked. */
  async revoke(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('service_tokens')
      .set({ revokedAt: at, updatedAt: at })
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes every live token a user minted (the user is being deleted). */
  async revokeAllByCreator(userId: string, at: string): Promise<void> {
    await this.db.updateTable('service_tokens').set({ revokedAt: at, updatedAt: at }).where('createdBy', '=', userId).where('revokedAt', 'is', null).execute();
  }

  /**
   * Revokes the live tokens one user minted for one account (they left it, or lost the role that
   * may mint them). Returns the ids revoked, for the audit trail.
   */
  async revokeByCreatorInAccount(accountId: string, userId: string, at: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('service_tokens')
      .set({ revokedAt: at, updatedAt: at })
      .where('accountId', '=', accountId)
      .where('createdBy', '=', userId)
      .where('revokedAt', 'is', null)
      .returning('id')
      .execute();
    return rows.map((row) => row.id).sort();
  }

  /** Records a use, at most once per `resolutionMs`, so a busy CI job does not write on every call. */
  async touchLastUsed(id: string, at: string, resolutionMs = 60_000): Promise<void> {
    const threshold = new Date(Date.parse(at) - resolutionMs).toISOString();
    await this.db
      .updateTable('service_tokens')
      .set({ lastUsedAt: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', threshold)]))
      .execute();
  }
}
