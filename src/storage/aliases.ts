// Alias rows: a public model name mapped to upstream targets with a strategy. account_id null =
// server-wide (operators); otherwise the account's own, whose targets name its own providers.
import type { Kysely, Selectable } from 'kysely';
import { fromJson, toJson } from './json-column.js';
import type { AliasesTable, Database } from './schema.js';

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

function toRecord(row: Selectable<AliasesTable>): AliasRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    strategy: row.strategy,
    targets: fromJson<AliasTarget[]>(row.targets, []),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class AliasesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(alias: AliasRecord): Promise<void> {
    await this.db
      .insertInto('aliases')
      .values({
        id: alias.id,
        account_id: alias.accountId,
        name: alias.name,
        strategy: alias.strategy,
        targets: toJson(alias.targets),
        created_at: alias.createdAt,
        updated_at: alias.updatedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<AliasRecord | undefined> {
    const row = await this.db.selectFrom('aliases').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async listByOwner(accountId: string | null): Promise<AliasRecord[]> {
    let query = this.db.selectFrom('aliases').selectAll();
    query = accountId === null ? query.where('account_id', 'is', null) : query.where('account_id', '=', accountId);
    return (await query.orderBy('name').orderBy('id').execute()).map(toRecord);
  }

  async update(id: string, patch: AliasPatch, at: string): Promise<void> {
    await this.db
      .updateTable('aliases')
      .set({
        ...(patch.strategy !== undefined ? { strategy: patch.strategy } : {}),
        ...(patch.targets !== undefined ? { targets: toJson(patch.targets) } : {}),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('aliases').where('id', '=', id).execute();
  }
}
