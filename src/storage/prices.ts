// Operator prices per model/alias or per route. They override the config file's prices; the
// price book (src/credits/price-book.ts) merges both and caches the result.
import type { Kysely, Selectable } from 'kysely';
import { int, intOrNull, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

export type PriceTargetKind = Tables['prices']['targetKind'];

export interface StoredPrice {
  targetKind: PriceTargetKind;
  target: string;
  inputPerMtok: number;
  outputPerMtok: number;
  perRequest: number;
  maxOutputTokens: number | null;
  createdAt: string;
  updatedAt: string;
}

const codec = tableCodec<Selectable<Tables['prices']>, StoredPrice>({ inputPerMtok: int, outputPerMtok: int, perRequest: int, maxOutputTokens: intOrNull });

export class PricesRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async list(): Promise<StoredPrice[]> {
    const rows = await this.db.selectFrom('prices').selectAll().orderBy('targetKind').orderBy('target').execute();
    return rows.map(codec.decode);
  }

  async find(targetKind: PriceTargetKind, target: string): Promise<StoredPrice | undefined> {
    const row = await this.db.selectFrom('prices').selectAll().where('targetKind', '=', targetKind).where('target', '=', target).executeTakeFirst();
    return row && codec.decode(row);
  }

  /** Insert or replace in one statement; `createdAt` is kept from the first insert. */
  async upsert(price: StoredPrice): Promise<void> {
    const { targetKind: _kind, target: _target, createdAt: _created, ...values } = price;
    await this.db
      .insertInto('prices')
      .values(price)
      .onConflict((oc) => oc.columns(['targetKind', 'target']).doUpdateSet(values))
      .execute();
  }

  async delete(targetKind: PriceTargetKind, target: string): Promise<boolean> {
    const result = await this.db.deleteFrom('prices').where('targetKind', '=', targetKind).where('target', '=', target).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
