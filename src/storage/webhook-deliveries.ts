// The webhook delivery queue (migration 012-webhooks): one row per (event, endpoint), whose id is
// the message id sent as webhook-id on every attempt. Due rows are claimed with a lease:
//
//   UPDATE … SET leased_until, lease_owner WHERE id IN (SELECT … due … FOR UPDATE SKIP LOCKED)
//
// On PostgreSQL, SKIP LOCKED lets several nodes claim disjoint batches at once, and the outer WHERE
// repeats the due test, which PostgreSQL re-checks on a row another node updated meanwhile, so a
// row is leased by one node only. SQLite has one writer at a time and no row locks to skip.
import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import type { Tables } from './schema.js';
import type { WebhookDeliveriesTable } from './tables/events-tables.js';

export type WebhookDeliveryRecord = Selectable<Tables['webhook_deliveries']>;
export type DeliveryStatus = WebhookDeliveriesTable['status'];

export interface AttemptOutcome {
  status: DeliveryStatus;
  responseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

export class WebhookDeliveriesRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(delivery: WebhookDeliveryRecord): Promise<void> {
    await this.db.insertInto('webhook_deliveries').values(delivery).execute();
  }

  async findById(id: string): Promise<WebhookDeliveryRecord | undefined> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** An endpoint's deliveries, newest first. */
  async listByEndpoint(endpointId: string, limit: number): Promise<WebhookDeliveryRecord[]> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('endpointId', '=', endpointId).orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /** Leases up to `limit` due rows to `owner` until `leasedUntil`; the rows this caller won. */
  async claimDue(now: string, leasedUntil: string, owner: string, limit: number): Promise<WebhookDeliveryRecord[]> {
    const skipLocked = this.db.getExecutor().adapter instanceof PostgresAdapter ? sql` FOR UPDATE SKIP LOCKED` : sql``;
    const result = await sql<WebhookDeliveryRecord>`
      UPDATE webhook_deliveries SET leased_until = ${leasedUntil}, lease_owner = ${owner}
      WHERE id IN (
        SELECT id FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= ${now} AND (leased_until IS NULL OR leased_until <= ${now})
        ORDER BY next_attempt_at LIMIT ${limit}${skipLocked}
      )
      AND status = 'pending' AND next_attempt_at <= ${now} AND (leased_until IS NULL OR leased_until <= ${now})
      RETURNING *`.execute(this.db);
    return result.rows;
  }

  /** Records an attempt made under `owner`'s lease; false when the lease had passed to another node. */
  async recordAttempt(id: string, owner: string, outcome: AttemptOutcome, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ ...outcome, attempt: eb('attempt', '+', 1), leasedUntil: null, leaseOwner: null, updatedAt: at }))
      .where('id', '=', id)
      .where('leaseOwner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Queues an immediate attempt of the message (same id, so the same webhook-id). */
  async requeue(id: string, at: string): Promise<WebhookDeliveryRecord | undefined> {
    return this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', nextAttemptAt: at, leasedUntil: null, leaseOwner: null, updatedAt: at })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }
}
