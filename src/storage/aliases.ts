// Alias rows: a public model name mapped to upstream targets with a strategy. account_id null =
// server-wide (operators); otherwise the account's own, whose targets name its own providers.
import type { Kysely, Selectable } from 'kysely';
import { json, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

export interface AliasTarget {
  provider: string;
  model: string;
  weight?: number | undefined;
}

export interface AliasRecord {
  id: string;
  accountId: string | null;
  name: string;
  strategy: 'fallback' | 'weighted';
  targets: AliasTarget[];
  createdAt: string;
  updatedAt: string;
}

export type AliasPatch = Partial<Pick<AliasRecord, 'strategy' | 'targets'>>;

const codec = tableCodec<Selectable<Tables['aliases']>, AliasRecord>({ targets: json<AliasTarget[]>([]) });

export class AliasesRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(alias: AliasRecord): Promise<void> {
    await this.db.insertInto('aliases').values(codec.encode(alias)).execute();
  }

  async findById(id: string): Promise<AliasRecord | undefined> {
    const row = await this.db.selectFrom('aliases').selectAll().where('id', '=', id).executeTakeFirst();
    return row && codec.decode(row);
  }

  async listByOwner(accountId: string | null): Promise<AliasRecord[]> {
    let query = this.db.selectFrom('aliases').selectAll();
    query = accountId === null ? query.where('accountId', 'is', null) : query.where('accountId', '=', accountId);
    return (await query.orderBy('name').orderBy('id').execute()).map(codec.decode);
  }

  /** Applies the patch; the stored row after it, or undefined when it is gone. */
  async update(id: string, patch: AliasPatch, at: string): Promise<AliasRecord | undefined> {
    const row = await this.db.updateTable('aliases').set(codec.encode({ ...patch, updatedAt: at })).where('id', '=', id).returningAll().executeTakeFirst();
    return row && codec.decode(row);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('aliases').where('id', '=', id).execute();
  }
}
