// Usage records: one per data-plane request whose key was identified. Written in batches by the
// gateway's usage writer; read grouped by key, model and day for GET /api/v1/usage.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

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
}

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

export class UsageRecordsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertMany(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db
      .insertInto('usage_records')
      .values(
        records.map((r) => ({
          id: r.id,
          request_id: r.requestId,
          account_id: r.accountId,
          key_id: r.keyId,
          model: r.model,
          route: r.route,
          provider: r.provider,
          target_model: r.targetModel,
          session_id: r.sessionId,
          status: r.status,
          outcome: r.outcome,
          input_tokens: r.inputTokens,
          output_tokens: r.outputTokens,
          credits: r.credits,
          latency_ms: Math.round(r.latencyMs),
          failovers: r.failovers,
          day: r.createdAt.slice(0, 10),
          created_at: r.createdAt,
          client_request_id: r.clientRequestId ?? null,
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
        'account_id',
        'key_id',
        eb.fn.coalesce('model', 'route').as('model'),
        eb.fn.countAll<number>().as('requests'),
        eb.fn.sum<number>(eb.case().when('status', '>=', 400).then(1).else(0).end()).as('errors'),
        eb.fn.sum<number>('input_tokens').as('input_tokens'),
        eb.fn.sum<number>('output_tokens').as('output_tokens'),
        eb.fn.sum<number>('credits').as('credits'),
      ])
      .where('account_id', 'in', query.accountIds)
      .where('day', '>=', query.fromDay)
      .where('day', '<=', query.toDay);
    if (query.keyId !== undefined) q = q.where('key_id', '=', query.keyId);
    const rows = await q
      .groupBy(['day', 'account_id', 'key_id', (eb) => eb.fn.coalesce('model', 'route')])
      .orderBy('day', 'desc')
      .orderBy('key_id')
      .limit(10_000)
      .execute();
    return rows.map((row) => ({
      day: row.day,
      accountId: row.account_id,
      keyId: row.key_id,
      model: row.model,
      requests: Number(row.requests),
      errors: Number(row.errors),
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      credits: Number(row.credits),
    }));
  }

  /** Every record of one request (tests and support look-ups). */
  async findByRequestId(requestId: string): Promise<UsageRecord[]> {
    const rows = await this.db.selectFrom('usage_records').selectAll().where('request_id', '=', requestId).execute();
    return rows.map((r) => ({
      id: r.id,
      requestId: r.request_id,
      accountId: r.account_id,
      keyId: r.key_id,
      model: r.model,
      route: r.route,
      provider: r.provider,
      targetModel: r.target_model,
      sessionId: r.session_id,
      status: r.status,
      outcome: r.outcome as UsageRecord['outcome'],
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      credits: r.credits,
      latencyMs: r.latency_ms,
      failovers: r.failovers,
      createdAt: r.created_at,
      clientRequestId: r.client_request_id,
    }));
  }
}
