// Usage records: one per data-plane request whose key was identified. Written in batches by the
// gateway's usage writer, each batch added to the hourly rollups (usage-rollups.ts) that
// GET /api/v1/usage reads.
import type { Kysely } from 'kysely';
import { CompiledInsert } from './compiled-statement.js';
import type { Tables } from './schema.js';
import { UsageRollupsRepository } from './usage-rollups.js';

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

/** A usage record as its row is stored: every column present (usageRow fills the optional ones). */
type UsageRow = { [K in keyof UsageRecord]-?: Exclude<UsageRecord[K], undefined> } & { day: string };

function usageRow(r: UsageRecord): UsageRow {
  return {
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
    outcome: r.outcome,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    credits: r.credits,
    latencyMs: Math.round(r.latencyMs),
    failovers: r.failovers,
    day: r.createdAt.slice(0, 10),
    createdAt: r.createdAt,
    clientRequestId: r.clientRequestId ?? null,
    priceSource: r.priceSource ?? null,
    priceInputPerMtok: r.priceInputPerMtok ?? null,
    priceOutputPerMtok: r.priceOutputPerMtok ?? null,
    pricePerRequest: r.pricePerRequest ?? null,
    exactCost: r.exactCost ?? null,
  };
}

const insertUsageRows = new CompiledInsert<UsageRow>((db, rows) => db.insertInto('usage_records').values(rows));

/**
 * THE place usage records are stored: the usage writer (PostgreSQL) and the group commit of the
 * in-memory credit engine (SQLite, in the transaction of the batch that charges them) both call it, so
 * whatever must happen beside each stored batch of usage records goes here (insertMany keeps the
 * hourly rollups in step in the same transaction).
 */
export async function storeUsageRecords(tx: { usage: UsageRecordsRepository }, records: readonly UsageRecord[]): Promise<void> {
  await tx.usage.insertMany(records);
}

export class UsageRecordsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  /**
   * Stores the records and adds them to the hourly rollups in one transaction (inside the caller's,
   * when it is one), so the rollups never count a record that is not stored nor miss one that is.
   */
  async insertMany(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const write = async (db: Kysely<Tables>) => {
      await insertUsageRows.run(db, records.map(usageRow));
      await new UsageRollupsRepository(db).add(records);
    };
    if (this.db.isTransaction) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  /** Every record of one request (tests and support look-ups); `accountIds` narrows to those accounts. */
  async findByRequestId(requestId: string, accountIds?: readonly string[]): Promise<UsageRecord[]> {
    if (accountIds?.length === 0) return [];
    let query = this.db.selectFrom('usage_records').selectAll().where('requestId', '=', requestId);
    if (accountIds) query = query.where('accountId', 'in', accountIds);
    const rows = await query.execute();
    // The row is the record and its day (usageRow): everything but the day, as it was written.
    return rows.map(({ day: _day, ...record }) => record as UsageRecord);
  }
}
