// Service token rows. Only the HMAC of a token is stored; `token_prefix` (the public id part) is
// what listings show. Revocation is a timestamp, never a delete, so the audit trail can name it.
import type { Kysely, Selectable } from 'kysely';
import type { Database, ServiceTokensTable } from './schema.js';

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

function toRecord(row: Selectable<ServiceTokensTable>): ServiceTokenRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    createdBy: row.created_by,
    name: row.name,
    tokenPrefix: row.token_prefix,
    tokenHash: row.token_hash,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ServiceTokensRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: ServiceTokenRecord): Promise<void> {
    await this.db
      .insertInto('service_tokens')
      .values({
        id: token.id,
        account_id: token.accountId,
        created_by: token.createdBy,
        name: token.name,
        token_prefix: token.tokenPrefix,
        token_hash: token.tokenHash,
        expires_at: token.expiresAt,
        last_used_at: token.lastUsedAt,
        revoked_at: token.revokedAt,
        created_at: token.createdAt,
        updated_at: token.updatedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<ServiceTokenRecord | undefined> {
    const row = await this.db.selectFrom('service_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** The account's tokens, oldest first (revoked ones included: the listing shows their state). */
  async listByAccount(accountId: string): Promise<ServiceTokenRecord[]> {
    const rows = await this.db
      .selectFrom('service_tokens')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toRecord);
  }

  async countActive(accountId: string, now: string): Promise<number> {
    const { count } = await this.db
      .selectFrom('service_tokens')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** Revokes a live token. False if it was already revoked. */
  async revoke(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('service_tokens')
      .set({ revoked_at: at, updated_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes every live token a user minted (the user is being deleted). */
  async revokeAllByCreator(userId: string, at: string): Promise<void> {
    await this.db.updateTable('service_tokens').set({ revoked_at: at, updated_at: at }).where('created_by', '=', userId).where('revoked_at', 'is', null).execute();
  }

  /**
   * Revokes the live tokens one user minted for one account (they left it, or lost the role that
   * may mint them). Returns the ids revoked, for the audit trail.
   */
  async revokeByCreatorInAccount(accountId: string, userId: string, at: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('service_tokens')
      .set({ revoked_at: at, updated_at: at })
      .where('account_id', '=', accountId)
      .where('created_by', '=', userId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((row) => row.id).sort();
  }

  /** Records a use, at most once per `resolutionMs`, so a busy CI job does not write on every call. */
  async touchLastUsed(id: string, at: string, resolutionMs = 60_000): Promise<void> {
    const threshold = new Date(Date.parse(at) - resolutionMs).toISOString();
    await this.db
      .updateTable('service_tokens')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', threshold)]))
      .execute();
  }
}
