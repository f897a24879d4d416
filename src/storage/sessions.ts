// Session rows: a lease binding (API key, model) to one upstream target until `expires_at`. A
// partial unique index keeps at most one open session per key and model across every node.
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

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


export class SessionsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async findById(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row;
  }

  /** The key's live session for a model at `now`, if any. */
  async findOpen(keyId: string, model: string, now: string): Promise<SessionRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('keyId', '=', keyId)
      .where('model', '=', model)
      .where('endedAt', 'is', null)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
    return row;
  }

  async listOpenByKeys(keyIds: readonly string[], now: string): Promise<SessionRecord[]> {
    if (keyIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('keyId', 'in', keyIds)
      .where('endedAt', 'is', null)
      .where('expiresAt', '>', now)
      .orderBy('createdAt', 'desc')
      .limit(1000)
      .execute();
    return rows;
  }

  /**
   * Closes the key's open session for a model: at its expiry if that has passed (so the unique
   * index frees up), or now when `replace` is set.
   */
  async closeOpen(keyId: string, model: string, now: string, replace: boolean): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set((eb) => ({ endedAt: replace ? eb.val(now) : eb.ref('expiresAt') }))
      .where('keyId', '=', keyId)
      .where('model', '=', model)
      .where('endedAt', 'is', null)
      .where((eb) => (replace ? eb.lit(true) : eb('expiresAt', '<=', now)))
      .execute();
  }

  /** Inserts; a concurrent open of the same key and model raises a unique violation. */
  async insert(session: SessionRecord): Promise<void> {
    await this.db.insertInto('sessions').values(session).execute();
  }

  /** Re-pins an open session on another target after its target failed. */
  async moveTarget(id: string, provider: string, targetModel: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set((eb) => ({ provider, targetModel, failovers: eb('failovers', '+', 1) }))
      .where('id', '=', id)
      .where('endedAt', 'is', null)
      .execute();
  }

  async end(id: string, at: string): Promise<void> {
    await this.db.updateTable('sessions').set({ endedAt: at }).where('id', '=', id).where('endedAt', 'is', null).execute();
  }
}
