// Session rows: a lease binding (API key, model) to one upstream target until `expires_at`. A
// partial unique index keeps at most one open session per key and model across every node.
import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from './schema.js';

export interface SessionRecord {
  id: string;
  accountId: string;
  keyId: string;
  /** The model name as clients ask for it (an alias or `provider/model`). */
  model: string;
  /** The pinned target: provider name and upstream model. */
  provider: string;
  targetModel: string;
  failovers: number;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
}

function toRecord(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    keyId: row.key_id,
    model: row.model,
    provider: row.provider,
    targetModel: row.target_model,
    failovers: row.failovers,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
  };
}


export class SessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** The key's live session for a model at `now`, if any. */
  async findOpen(keyId: string, model: string, now: string): Promise<SessionRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('key_id', '=', keyId)
      .where('model', '=', model)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async listOpenByKeys(keyIds: readonly string[], now: string): Promise<SessionRecord[]> {
    if (keyIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('key_id', 'in', keyIds)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(1000)
      .execute();
    return rows.map(toRecord);
  }

  /**
   * Closes the key's open session for a model: at its expiry if that has passed (so the unique
   * index frees up), or now when `replace` is set.
   */
  async closeOpen(keyId: string, model: string, now: string, replace: boolean): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set((eb) => ({ ended_at: replace ? eb.val(now) : eb.ref('expires_at') }))
      .where('key_id', '=', keyId)
      .where('model', '=', model)
      .where('ended_at', 'is', null)
      .where((eb) => (replace ? eb.lit(true) : eb('expires_at', '<=', now)))
      .execute();
  }

  /** Inserts; a concurrent open of the same key and model raises a unique violation. */
  async insert(session: SessionRecord): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        account_id: session.accountId,
        key_id: session.keyId,
        model: session.model,
        provider: session.provider,
        target_model: session.targetModel,
        failovers: session.failovers,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        ended_at: session.endedAt,
      })
      .execute();
  }

  /** Re-pins an open session on another target after its target failed. */
  async moveTarget(id: string, provider: string, targetModel: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set((eb) => ({ provider, target_model: targetModel, failovers: eb('failovers', '+', 1) }))
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .execute();
  }

  async end(id: string, at: string): Promise<void> {
    await this.db.updateTable('sessions').set({ ended_at: at }).where('id', '=', id).where('ended_at', 'is', null).execute();
  }
}
