// Migration 014 (issue 11 items 3 and 4): exact charges and where each price came from.
// - credit_balances.carry: the fraction of a credit an account has used but not yet been charged,
//   in sub-credit units (10^12 to the credit, src/core/sub-credits.ts), always in [0, 10^12). The
//   settle statement adds a request's exact price to it and moves the whole credits to the balance.
// - prices.input_micros_per_mtok / output_micros_per_mtok: operator prices in micro-credits per
//   Mtok, so a price such as 0.15 credits per Mtok is stored exactly (integers on both databases,
//   no floating point). Backfilled from the whole-credit columns, which are still written (rounded
//   up) for nodes of the previous version during a rolling upgrade.
// - usage_records: the price a request was charged at (decimal text, exact on both databases),
//   its source (operator, config, catalog, route, unpriced_ceiling) and its exact price in credits.
import { sql, type Kysely } from 'kysely';

export function exactCharges() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('credit_balances').addColumn('carry', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('prices').addColumn('input_micros_per_mtok', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('prices').addColumn('output_micros_per_mtok', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await sql`UPDATE prices SET input_micros_per_mtok = input_per_mtok * 1000000, output_micros_per_mtok = output_per_mtok * 1000000`.execute(db);
      for (const column of ['price_source', 'price_input_per_mtok', 'price_output_per_mtok', 'price_per_request', 'exact_cost']) {
        await db.schema.alterTable('usage_records').addColumn(column, 'text').execute();
      }
    },
  };
}
