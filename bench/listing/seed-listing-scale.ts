// Seeds the listing benchmark's PostgreSQL schema in SQL (generate_series: no rows cross the wire):
// `keys` personal keys of the benchmark user, named "svc-<n mod 5000>-<hash>", one a second from
// 2026-01-01; and `usageRecords` usage records spread evenly over the last 30 days, over the first
// 1,000 keys and four models, in batches of a million. The rollups are then built from the records
// with the statements of migration 015's backfill, as a deployment upgraded with that usage has them.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.js';

export interface ListingSeed {
  keys: number;
  usageRecords: number;
  rollupRows: number;
  seconds: number;
}

const BATCH = 1_000_000;
const ISO = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

export async function seedListingScale(db: Kysely<Database>, options: { accountId: string; userId: string; keys: number; usageRecords: number; now: Date; log: (line: string) => void }): Promise<ListingSeed> {
  const started = performance.now();
  const { accountId, userId } = options;
  for (let from = 1; from <= options.keys; from += BATCH) {
    const to = Math.min(options.keys, from + BATCH - 1);
    await sql`
      INSERT INTO api_keys (id, account_id, created_by, kind, name, key_prefix, environment, secret_hash, allowed_origins, scopes, is_default, created_at, updated_at)
      SELECT 'key_' || lpad(to_hex(g), 8, '0'), ${accountId}, ${userId}, 'personal', 'svc-' || (g % 5000) || '-' || substr(md5(g::text), 1, 6),
             'tg_live_' || lpad(to_hex(g), 8, '0'), 'live', md5('secret' || g), '[]', '[]', 0, t, t
      FROM generate_series(${from}::int, ${to}::int) AS g, LATERAL (SELECT to_char(timestamp '2026-01-01' + g * interval '1 second', ${ISO}) AS t) AS ts
    `.execute(db);
  }
  options.log(`    ${options.keys.toLocaleString('en-US')} keys after ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const start = new Date(options.now.getTime() - 30 * 86_400_000).toISOString();
  const stepS = (30 * 86_400) / options.usageRecords;
  for (let from = 1; from <= options.usageRecords; from += BATCH) {
    const to = Math.min(options.usageRecords, from + BATCH - 1);
    await sql`
      INSERT INTO usage_records (id, request_id, account_id, key_id, model, status, outcome, input_tokens, output_tokens, credits, latency_ms, failovers, day, created_at, exact_cost)
      SELECT 'use_' || g, 'req_' || g, ${accountId}, 'key_' || lpad(to_hex(1 + g % 1000), 8, '0'),
             (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3-70b'])[1 + g % 4],
             CASE WHEN g % 50 = 0 THEN 502 ELSE 200 END, 'ok', 100 + g % 900, 50 + g % 400, g % 3, 10, 0, substr(t, 1, 10), t, '0.000123'
      FROM generate_series(${from}::bigint, ${to}::bigint) AS g,
           LATERAL (SELECT to_char(${start}::timestamptz AT TIME ZONE 'UTC' + g * ${stepS}::float8 * interval '1 second', ${ISO}) AS t) AS ts
    `.execute(db);
    options.log(`    ${to.toLocaleString('en-US')} usage records after ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const hour = sql`substr(created_at, 1, 13) || ':00:00.000Z'`;
  await sql`INSERT INTO usage_rollups_hourly (account_id, hour, key_id, model, requests, errors, input_tokens, output_tokens, credits, credit_units)
    SELECT account_id, ${hour}, key_id, coalesce(model, route, ''), count(*), sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END), sum(input_tokens), sum(output_tokens), sum(credits),
           coalesce(sum((exact_cost::numeric * 1000000000000)::bigint), 0)
    FROM usage_records GROUP BY account_id, ${hour}, key_id, coalesce(model, route, '')`.execute(db);
  await sql`INSERT INTO usage_account_rollups_hourly (account_id, hour, model, requests, errors, input_tokens, output_tokens, credits, credit_units)
    SELECT account_id, hour, model, sum(requests), sum(errors), sum(input_tokens), sum(output_tokens), sum(credits), sum(credit_units)
    FROM usage_rollups_hourly GROUP BY account_id, hour, model`.execute(db);
  await sql`ANALYZE`.execute(db);
  const rollups = await sql<{ n: string }>`SELECT (SELECT count(*) FROM usage_rollups_hourly) + (SELECT count(*) FROM usage_account_rollups_hourly) AS n`.execute(db);
  return { keys: options.keys, usageRecords: options.usageRecords, rollupRows: Number(rollups.rows[0]?.n ?? 0), seconds: (performance.now() - started) / 1000 };
}
