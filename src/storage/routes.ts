// Route rows: a path prefix on Tollgate mapped to an `http` provider, with the methods and scopes
// it accepts and a per-request cost. account_id null = server-wide (operators).
import type { Kysely, Selectable } from 'kysely';
import { fromJson, toJson } from './json-column.js';
import type { Database, RoutesTable } from './schema.js';

export interface RouteRecord {
  id: string;
  accountId: string | null;
  path: string;
  provider: string;
  methods: string[];
  scopes: string[];
  cost: number;
  createdAt: string;
  updatedAt: string;
}

export type RoutePatch = Partial<Pick<RouteRecord, 'provider' | 'methods' | 'scopes' | 'cost'>>;

function toRecord(row: Selectable<RoutesTable>): RouteRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    path: row.path,
    provider: row.provider,
    methods: fromJson<string[]>(row.methods, []),
    scopes: fromJson<string[]>(row.scopes, []),
    cost: row.cost,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class RoutesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(route: RouteRecord): Promise<void> {
    await this.db
      .insertInto('routes')
      .values({
        id: route.id,
        account_id: route.accountId,
        path: route.path,
        provider: route.provider,
        methods: toJson(route.methods),
        scopes: toJson(route.scopes),
        cost: route.cost,
        created_at: route.createdAt,
        updated_at: route.updatedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<RouteRecord | undefined> {
    const row = await this.db.selectFrom('routes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async listByOwner(accountId: string | null): Promise<RouteRecord[]> {
    let query = this.db.selectFrom('routes').selectAll();
    query = accountId === null ? query.where('account_id', 'is', null) : query.where('account_id', '=', accountId);
    return (await query.orderBy('path').orderBy('id').execute()).map(toRecord);
  }

  async update(id: string, patch: RoutePatch, at: string): Promise<void> {
    await this.db
      .updateTable('routes')
      .set({
        ...(patch.provider !== undefined ? { provider: patch.provider } : {}),
        ...(patch.methods !== undefined ? { methods: toJson(patch.methods) } : {}),
        ...(patch.scopes !== undefined ? { scopes: toJson(patch.scopes) } : {}),
        ...(patch.cost !== undefined ? { cost: patch.cost } : {}),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('routes').where('id', '=', id).execute();
  }
}
