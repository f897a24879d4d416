// Operator prices per model/alias or per route. They override the config file's prices; the
// price book (src/credits/price-book.ts) merges both and caches the result.
import type { Kysely, Selectable } from 'kysely';
import { microsToCredits, toMicros } from '../core/sub-credits.js';
import { int, intOrNull, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

export type PriceTargetKind = Tables['prices']['targetKind'];

export interface StoredPrice {
  targetKind: PriceTargetKind;
  target: string;
  /** Credits per Mtok, up to 6 decimals (stored exactly, in micro-credits). */
  inputPerMtok: number;
  outputPerMtok: number;
  perRequest: number;
  maxOutputTokens: number | null;
  createdAt: string;
  updatedAt: string;
}

const codec = tableCodec<Selectable<Tables['prices']>, StoredPrice>({ perRequest: int, maxOutputTokens: intOrNull });

type PriceRow = Selectable<Tables['prices']>;

/** The exact micro-credit columns are the price; the whole-credit ones are kept for older nodes. */
function decode(row: PriceRow): StoredPrice {
  const { inputMicrosPerMtok, outputMicrosPerMtok, ...rest } = row;
  return {
    ...codec.decode(rest as PriceRow),
    inputPerMtok: microsToCredits(BigInt(inputMicrosPerMtok)),
    outputPerMtok: microsToCredits(BigInt(outputMicrosPerMtok)),
  };
}

function encode(price: StoredPrice): PriceRow {
  const input = toMicros(price.inputPerMtok);
  const output = toMicros(price.outputPerMtok);
  return {
    ...price,
    // Rounded up, so a node of the previous version never charges less than the price.
    inputPerMtok: Math.ceil(price.inputPerMtok),
    outputPerMtok: Math.ceil(price.outputPerMtok),
    inputMicrosPerMtok: Number(input),
    outputMicrosPerMtok: Number(output),
  };
}

export class PricesRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async list(): Promise<StoredPrice[]> {
    const rows = await this.db.selectFrom('prices').selectAll().orderBy('targetKind').orderBy('target').execute();
    return rows.map(decode);
  }

  async find(targetKind: PriceTargetKind, target: string): Promise<StoredPrice | undefined> {
    const row = await this.db.selectFrom('prices').selectAll().where('targetKind', '=', targetKind).where('target', '=', target).executeTakeFirst();
    return row && decode(row);
  }

  /** Insert or replace in one statement; `createdAt` is kept from the first insert. */
  async upsert(price: StoredPrice): Promise<void> {
    const row = encode(price);
    const { targetKind: _kind, target: _target, createdAt: _created, ...values } = row;
    await this.db
      .insertInto('prices')
      .values(row)
      .onConflict((oc) => oc.columns(['targetKind', 'target']).doUpdateSet(values))
      .execute();
  }

  async delete(targetKind: PriceTargetKind, target: string): Promise<boolean> {
    const result = await this.db.deleteFrom('prices').where('targetKind', '=', targetKind).where('target', '=', target).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
