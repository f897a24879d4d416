// Operator prices per model/alias or per route. They override the config file's prices; the
// price book (src/credits/price-book.ts) merges both and caches the result.
import type { Kysely, Selectable } from 'kysely';
import type { Database, PricesTable } from './schema.js';

export type PriceTargetKind = PricesTable['target_kind'];

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

function toPrice(row: Selectable<PricesTable>): StoredPrice {
  return {
    targetKind: row.target_kind,
    target: row.target,
    inputPerMtok: Number(row.input_per_mtok),
    outputPerMtok: Number(row.output_per_mtok),
    perRequest: Number(row.per_request),
    maxOutputTokens: row.max_output_tokens === null ? null : Number(row.max_output_tokens),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class PricesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<StoredPrice[]> {
    const rows = await this.db.selectFrom('prices').selectAll().orderBy('target_kind').orderBy('target').execute();
    return rows.map(toPrice);
  }

  async find(targetKind: PriceTargetKind, target: string): Promise<StoredPrice | undefined> {
    const row = await this.db.selectFrom('prices').selectAll().where('target_kind', '=', targetKind).where('target', '=', target).executeTakeFirst();
    return row && toPrice(row);
  }

  /** Insert or replace in one statement; `createdAt` is kept from the first insert. */
  async upsert(price: StoredPrice): Promise<void> {
    const values = {
      input_per_mtok: price.inputPerMtok,
      output_per_mtok: price.outputPerMtok,
      per_request: price.perRequest,
      max_output_tokens: price.maxOutputTokens,
      updated_at: price.updatedAt,
    };
    await this.db
      .insertInto('prices')
      .values({ target_kind: price.targetKind, target: price.target, created_at: price.createdAt, ...values })
      .onConflict((oc) => oc.columns(['target_kind', 'target']).doUpdateSet(values))
      .execute();
  }

  async delete(targetKind: PriceTargetKind, target: string): Promise<boolean> {
    const result = await this.db.deleteFrom('prices').where('target_kind', '=', targetKind).where('target', '=', target).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
