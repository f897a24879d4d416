// Usage records: one per data-plane request whose key was identified. Written in batches by the
// gateway's usage writer; read grouped by key, model and day for GET /api/v1/usage.
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

export interface UsageRecord {
  id: string;
  requestId: string;
  accountId: string;
  keyId: string;
  model: string | null;
  route: string | null;
  provider: string | null;
  targetModel: string | null;
  sessionId: string | null;
  status: number;
  outcome: 'ok' | 'failed' | 'aborted' | 'refused';
  inputTokens: number;
  outputTokens: number;
  credits: number;
  latencyMs: number;
  failovers: number;
  createdAt: string;
  /** The caller's own X-Request-Id, kept for correlation (never a key). */
  clientRequestId?: string | null;
  /** The price charged at (decimal text, credits) and where it came from; null when unpriced. */
  priceSource?: string | null;
  priceInputPerMtok?: string | null;
  priceOutputPerMtok?: string | null;
  pricePerRequest?: string | null;
  /** The exact price of the request in credits (decimal text); `credits` is what was charged now. */
  exactCost?: string | null;
}

const PRICE_COLUMNS = ['priceSource', 'priceInputPerMtok', 'priceOutputPerMtok', 'pricePerRequest', 'exactCost'] as const;

export interface UsageGroup {
  day: string;
  accountId: string;
  keyId: string;
  /** The model name, or the route path for plain HTTP routes. */
  model: string | null;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  credits: number;
}

export interface UsageQuery {
  accountIds: readonly string[];
  keyId?: string | undefined;
  fromDay: string;
  toDay: string;
}

/**
 * THE place usage records are stored: the usage writer (PostgreSQL) and the group commit of the
 * in-memory credit engine (SQLite, right after the batch that charges them) both call it, so
 * whatever must happen beside each stored batch of usage records goes here.
 */
export async function storeUsageRecords(tx: { usage: UsageRecordsRepository }, records: readonly UsageRecord[]): Promise<void> {
  await tx.usage.insertMany(records);
}

export class UsageRecordsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insertMany(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db
      .insertInto('usage_records')
      .values(
        records.map((r) => ({
          ...r,
          latencyMs: Math.round(r.latencyMs),
          day: r.createdAt.slice(0, 10),
          clientRequestId: r.clientRequestId ?? null,
          ...Object.fromEntries(PRICE_COLUMNS.map((c) => [c, r[c] ?? null])),
        })),
      )
      .execute();
  }

  /** Totals per day, key and model (or route), newest day first. */
  async grouped(query: UsageQuery): Promise<UsageGroup[]> {
    if (query.accountIds.length === 0) return [];
    let q = this.db
      .selectFrom('usage_records')
      .select((eb) => [
        'day',
        'accountId',
        'keyId',
        eb.fn.coalesce('model', 'route').as('model'),
        eb.fn.countAll<number>().as('requests'),
        eb.fn.sum<number>(eb.case().when('status', '>=', 400).then(1).else(0).end()).as('errors'),
        eb.fn.sum<number>('inputTokens').as('inputTokens'),
        eb.fn.sum<number>('outputTokens').as('outputTokens'),
        eb.fn.sum<number>('credits').as('credits'),
      ])
      .where('accountId', 'in', query.accountIds)
      .where('day', '>=', query.fromDay)
      .where('day', '<=', query.toDay);
    if (query.keyId !== undefined) q = q.where('keyId', '=', query.keyId);
    const rows = await q
      .groupBy(['day', 'accountId', 'keyId', (eb) => eb.fn.coalesce('model', 'route')])
      .orderBy('day', 'desc')
      .orderBy('keyId')
      .limit(10_000)
      .execute();
    return rows.map((row) => ({
      day: row.day,
      accountId: row.accountId,
      keyId: row.keyId,
      model: row.model,
      requests: Number(row.requests),
      errors: Number(row.errors),
      inputTokens: Number(row.inputTokens),
      outputTokens: Number(row.outputTokens),
      credits: Number(row.credits),
    }));
  }

  /** Every record of one request (tests and support look-ups); `accountIds` narrows to those accounts. */
  async findByRequestId(requestId: string, accountIds?: readonly string[]): Promise<UsageRecord[]> {
    if (accountIds?.length === 0) return [];
    let query = this.db.selectFrom('usage_records').selectAll().where('requestId', '=', requestId);
    if (accountIds) query = query.where('accountId', 'in', accountIds);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      requestId: r.requestId,
      accountId: r.accountId,
      keyId: r.keyId,
      model: r.model,
      route: r.route,
      provider: r.provider,
      targetModel: r.targetModel,
      sessionId: r.sessionId,
      status: r.status,
      outcome: r.outcome as UsageRecord['outcome'],
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      credits: r.credits,
      latencyMs: r.latencyMs,
      failovers: r.failovers,
      createdAt: r.createdAt,
      clientRequestId: r.clientRequestId,
      priceSource: r.priceSource,
      priceInputPerMtok: r.priceInputPerMtok,
      priceOutputPerMtok: r.priceOutputPerMtok,
      pricePerRequest: r.pricePerRequest,
      exactCost: r.exactCost,
    }));
  }
}
