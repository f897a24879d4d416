// Migration 015 (issue 12 item 4, SPEC §8 "Listing at scale"): key listings and usage that answer in
// bounded time with a million keys and tens of millions of usage records.
// - api_keys: keyset indexes for the two listings, (account_id, kind, created_at, id) for org keys and
//   (created_by, kind, created_at, id) for personal keys, so a page is an index range read whatever
//   the table's size. They replace the two-column indexes of migration 001, which they cover.
// - usage_rollups_hourly: per account, hour, key and model (the route for plain HTTP routes, '' for
//   neither), the requests, errors, tokens and credits of the usage records: whole credits charged
//   and the exact price in sub-credit units (10^12 to the credit, src/core/sub-credits.ts).
// - usage_account_rollups_hourly: the same per account, hour and model, without the key, so an
//   account's 30-day chart reads 720 rows per model however many keys it has.
// Both are incremented in the transaction that inserts the usage records (storage/usage-records.ts)
// and backfilled here from the records already stored.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

const COUNTERS = ['requests', 'errors', 'input_tokens', 'output_tokens', 'credits', 'credit_units'] as const;

/** exact_cost (decimal text of credits, at most 12 places) as integer sub-credit units, in SQL. */
function exactUnits(dialect: Dialect) {
  if (dialect === 'postgres') return sql`coalesce(sum((exact_cost::numeric * 1000000000000)::bigint), 0)`;
  // SQLite has no exact decimal type: the whole part and the 12 fraction digits are read as integers.
  return sql`coalesce(sum(CASE
    WHEN exact_cost IS NULL THEN 0
    WHEN instr(exact_cost, '.') = 0 THEN CAST(exact_cost AS INTEGER) * 1000000000000
    ELSE CAST(substr(exact_cost, 1, instr(exact_cost, '.') - 1) AS INTEGER) * 1000000000000
      + CAST(substr(substr(exact_cost, instr(exact_cost, '.') + 1) || '000000000000', 1, 12) AS INTEGER)
  END), 0)`;
}

export function listingAndRollups(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('api_keys_account_listing').on('api_keys').columns(['account_id', 'kind', 'created_at', 'id']).execute();
      await db.schema.createIndex('api_keys_creator_listing').on('api_keys').columns(['created_by', 'kind', 'created_at', 'id']).execute();
      await db.schema.dropIndex('api_keys_account').execute();
      await db.schema.dropIndex('api_keys_creator').execute();

      for (const [table, keyColumns] of [
        ['usage_rollups_hourly', ['account_id', 'hour', 'key_id', 'model']],
        ['usage_account_rollups_hourly', ['account_id', 'hour', 'model']],
      ] as const) {
        let create = db.schema
          .createTable(table)
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
          // The hour's first instant, ISO 8601 UTC ("2026-11-30T12:00:00.000Z").
          .addColumn('hour', 'text', (c) => c.notNull());
        if (table === 'usage_rollups_hourly') create = create.addColumn('key_id', 'text', (c) => c.notNull());
        create = create.addColumn('model', 'text', (c) => c.notNull());
        for (const counter of COUNTERS) create = create.addColumn(counter, 'bigint', (c) => c.notNull().defaultTo(0));
        // (The builder's column types do not follow the loop; the names are the ones added above.)
        await create.addPrimaryKeyConstraint(`${table}_pk`, [...keyColumns] as Array<'account_id' | 'hour'>).execute();
      }
      await db.schema.createIndex('usage_rollups_hourly_key').on('usage_rollups_hourly').columns(['key_id', 'hour']).execute();

      const hour = sql`substr(created_at, 1, 13) || ':00:00.000Z'`;
      const model = sql`coalesce(model, route, '')`;
      const sums = sql`count(*), sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END), sum(input_tokens), sum(output_tokens), sum(credits), ${exactUnits(dialect)}`;
      await sql`INSERT INTO usage_rollups_hourly (account_id, hour, key_id, model, requests, errors, input_tokens, output_tokens, credits, credit_units)
        SELECT account_id, ${hour}, key_id, ${model}, ${sums} FROM usage_records GROUP BY account_id, ${hour}, key_id, ${model}`.execute(db);
      await sql`INSERT INTO usage_account_rollups_hourly (account_id, hour, model, requests, errors, input_tokens, output_tokens, credits, credit_units)
        SELECT account_id, hour, model, sum(requests), sum(errors), sum(input_tokens), sum(output_tokens), sum(credits), sum(credit_units)
        FROM usage_rollups_hourly GROUP BY account_id, hour, model`.execute(db);
    },
  };
}
