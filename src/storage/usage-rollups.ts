// Hourly usage rollups (migration 015): what GET /api/v1/usage reads, so its answer costs the number
// of hours and groups asked for, not the number of requests made. `add` increments them from a batch
// of usage records inside the transaction that inserts those records; `grouped` sums them.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { decimalToUnits } from '../core/sub-credits.js';
import { CompiledInsert } from './compiled-statement.js';
import type { Tables } from './schema.js';

/** What the rollups read of a usage record (storage/usage-records.ts). */
export interface RolledUpRecord {
  accountId: string;
  keyId: string;
  model: string | null;
  route: string | null;
  status: number;
  inputTokens: number;
  outputTokens: number;
  credits: number;
  createdAt: string;
  exactCost?: string | null;
}

/** How GET /api/v1/usage groups: one dimension, or day × key × model (its answer before group_by). */
export type UsageGrouping = 'day' | 'hour' | 'key' | 'model' | 'day_key_model';

export interface RollupQuery {
  accountIds: readonly string[];
  keyId?: string | undefined;
  /** The model name, or the route path for plain HTTP routes. */
  model?: string | undefined;
  /** First and last hour included (ISO 8601, on the hour). */
  fromHour: string;
  toHour: string;
  groupBy: UsageGrouping;
}

/** What a rollup row counts, per bucket or per group of buckets. */
interface RollupCounters {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  credits: number;
  /** The exact price in sub-credit units. */
  creditUnits: bigint;
}

export interface RollupGroup extends RollupCounters {
  day?: string;
  hour?: string;
  accountId?: string;
  keyId?: string;
  model?: string | null;
}

interface Bucket extends RollupCounters {
  accountId: string;
  hour: string;
  keyId: string;
  model: string;
}

const MAX_GROUPS = 10_000;
const COUNTER_COLUMNS = { requests: 'requests', errors: 'errors', inputTokens: 'input_tokens', outputTokens: 'output_tokens', credits: 'credits', creditUnits: 'credit_units' } as const;

/** ON CONFLICT … DO UPDATE SET counter = stored + proposed, for every counter (same SQL on both databases). */
function incremented(table: 'usage_rollups_hourly' | 'usage_account_rollups_hourly') {
  return Object.fromEntries(Object.entries(COUNTER_COLUMNS).map(([field, column]) => [field, sql<never>`${sql.raw(`${table}.${column}`)} + ${sql.raw(`excluded.${column}`)}`])) as Record<keyof typeof COUNTER_COLUMNS, RawBuilder<never>>;
}

/** The hour a record falls in, and what it adds to it; one bucket per (account, hour, key, model), sorted so concurrent writers lock rows in one order. */
export function rollupBuckets(records: readonly RolledUpRecord[], withKey: boolean): Bucket[] {
  const buckets = new Map<string, Bucket>();
  for (const r of records) {
    const hour = `${r.createdAt.slice(0, 13)}:00:00.000Z`;
    const model = r.model ?? r.route ?? '';
    const keyId = withKey ? r.keyId : '';
    const id = JSON.stringify([r.accountId, hour, keyId, model]);
    let b = buckets.get(id);
    if (!b) buckets.set(id, (b = { accountId: r.accountId, hour, keyId, model, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, credits: 0, creditUnits: 0n }));
    b.requests += 1;
    b.errors += r.status >= 400 ? 1 : 0;
    b.inputTokens += r.inputTokens;
    b.outputTokens += r.outputTokens;
    b.credits += r.credits;
    b.creditUnits += r.exactCost ? decimalToUnits(r.exactCost) : 0n;
  }
  return [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, b]) => b);
}

function counters(b: Bucket) {
  return { requests: b.requests, errors: b.errors, inputTokens: b.inputTokens, outputTokens: b.outputTokens, credits: b.credits, creditUnits: String(b.creditUnits) };
}
type Counted = ReturnType<typeof counters>;

const upsertKeyRollups = new CompiledInsert<{ accountId: string; hour: string; keyId: string; model: string } & Counted>((db, rows) =>
  db
    .insertInto('usage_rollups_hourly')
    .values(rows)
    .onConflict((oc) => oc.columns(['accountId', 'hour', 'keyId', 'model']).doUpdateSet(incremented('usage_rollups_hourly'))),
);
const upsertAccountRollups = new CompiledInsert<{ accountId: string; hour: string; model: string } & Counted>((db, rows) =>
  db
    .insertInto('usage_account_rollups_hourly')
    .values(rows)
    .onConflict((oc) => oc.columns(['accountId', 'hour', 'model']).doUpdateSet(incremented('usage_account_rollups_hourly'))),
);

export class UsageRollupsRepository {
  constructor(private readonly db: Kysely<Tables> | Transaction<Tables>) {}

  /** Adds a batch of records to both rollups: one upsert-increment statement per table (per chunk of buckets). */
  async add(records: readonly RolledUpRecord[]): Promise<void> {
    if (records.length === 0) return;
    await upsertKeyRollups.run(this.db, rollupBuckets(records, true).map((b) => ({ accountId: b.accountId, hour: b.hour, keyId: b.keyId, model: b.model, ...counters(b) })));
    await upsertAccountRollups.run(this.db, rollupBuckets(records, false).map((b) => ({ accountId: b.accountId, hour: b.hour, model: b.model, ...counters(b) })));
  }

  /**
   * Sums the rollups of the hours asked for by one grouping. The per-account table answers when no
   * key is named or grouped by (its size does not grow with the number of keys); days are sums of
   * hours. Time groupings come oldest first, key and model groupings busiest first.
   */
  async grouped(query: RollupQuery): Promise<RollupGroup[]> {
    if (query.accountIds.length === 0) return [];
    const byKey = query.keyId !== undefined || query.groupBy === 'key' || query.groupBy === 'day_key_model';
    const table = byKey ? 'usage_rollups_hourly' : 'usage_account_rollups_hourly';
    const day = sql<string>`substr(hour, 1, 10)`;
    let q = this.db
      .selectFrom(table)
      .select((eb) => [
        eb.fn.sum<number>('requests').as('requests'),
        eb.fn.sum<number>('errors').as('errors'),
        eb.fn.sum<number>('inputTokens').as('inputTokens'),
        eb.fn.sum<number>('outputTokens').as('outputTokens'),
        eb.fn.sum<number>('credits').as('credits'),
        sql<string>`cast(sum(credit_units) as text)`.as('creditUnits'),
      ])
      .where('accountId', 'in', query.accountIds)
      .where('hour', '>=', query.fromHour)
      .where('hour', '<=', query.toHour);
    if (query.keyId !== undefined) q = (q as typeof q).where(sql.ref('key_id'), '=', query.keyId);
    if (query.model !== undefined) q = q.where('model', '=', query.model);
    const grouped = (() => {
      switch (query.groupBy) {
        case 'day':
          return q.select(day.as('day')).groupBy(day).orderBy(day);
        case 'hour':
          return q.select('hour').groupBy('hour').orderBy('hour');
        case 'model':
          return q.select('model').groupBy('model').orderBy(sql`sum(requests)`, 'desc').orderBy('model');
        case 'key':
          return q.select([sql<string>`account_id`.as('accountId'), sql<string>`key_id`.as('keyId')]).groupBy([sql`account_id`, sql`key_id`]).orderBy(sql`sum(requests)`, 'desc').orderBy(sql`key_id`);
        case 'day_key_model':
          return q
            .select([day.as('day'), sql<string>`account_id`.as('accountId'), sql<string>`key_id`.as('keyId'), 'model'])
            .groupBy([day, sql`account_id`, sql`key_id`, 'model'])
            .orderBy(day, 'desc')
            .orderBy(sql`key_id`)
            .orderBy('model');
      }
    })();
    const rows = (await grouped.limit(MAX_GROUPS).execute()) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      requests: Number(row.requests),
      errors: Number(row.errors),
      inputTokens: Number(row.inputTokens),
      outputTokens: Number(row.outputTokens),
      credits: Number(row.credits),
      creditUnits: BigInt(String(row.creditUnits ?? '0')),
      ...(row.day !== undefined ? { day: String(row.day) } : {}),
      ...(row.hour !== undefined ? { hour: String(row.hour) } : {}),
      ...(row.accountId !== undefined ? { accountId: String(row.accountId) } : {}),
      ...(row.keyId !== undefined ? { keyId: String(row.keyId) } : {}),
      ...(row.model !== undefined ? { model: row.model === '' ? null : String(row.model) } : {}),
    }));
  }
}
