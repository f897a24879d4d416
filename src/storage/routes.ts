// Route rows: a path prefix on Tollgate mapped to an `http` provider, with the methods and scopes
// it accepts and a per-request cost. account_id null = server-wide (operators).
import type { Kysely, Selectable } from 'kysely';
import { json, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

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

const codec = tableCodec<Selectable<Tables['routes']>, RouteRecord>({ methods: json<string[]>([]), scopes: json<string[]>([]) });

export class RoutesRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(route: RouteRecord): Promise<void> {
    await this.db.insertInto('routes').values(codec.encode(route)).execute();
  }

  async findById(id: string): Promise<RouteRecord | undefined> {
    const row = await this.db.selectFrom('routes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && codec.decode(row);
  }

  async listByOwner(accountId: string | null): Promise<RouteRecord[]> {
    let query = this.db.selectFrom('routes').selectAll();
    query = accountId === null ? query.where('accountId', 'is', null) : query.where('accountId', '=', accountId);
    return (await query.orderBy('path').orderBy('id').execute()).map(codec.decode);
  }

  /** Applies the patch; the stored row after it, or undefined when it is gone. */
  async update(id: string, patch: RoutePatch, at: string): Promise<RouteRecord | undefined> {
    const row = await this.db.updateTable('routes').set(codec.encode({ ...patch, updatedAt: at })).where('id', '=', id).returningAll().executeTakeFirst();
    return row && codec.decode(row);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('routes').where('id', '=', id).execute();
  }
}
