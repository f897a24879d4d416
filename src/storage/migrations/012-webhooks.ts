// Events and webhooks (SPEC §9, issue 13 item 1).
//
// - webhook_endpoints: an account's receivers; the signing secret is sealed under the master key.
// - events: what happened, one row per event ({id, type, created_at, account_id, data}).
// - webhook_deliveries: the delivery queue, one row per (event, endpoint). Its id is the message
//   id sent as webhook-id on every attempt. A node claims due rows with a lease (leased_until,
//   lease_owner), so with several nodes on one database each attempt is made by one of them, and
//   rows whose node died mid-attempt are claimed again once the lease ends (at least once).
// - event_onces: notices that must go out once (key expiry warnings) or at most once per window
//   (model.unpriced per hour); a unique key settles a race between nodes.
// - api_keys_expires_at: the expiry scheduler looks for keys expiring within 7 days.
import type { Kysely } from 'kysely';

export function webhooks() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('threshold', 'bigint')
        .addColumn('description', 'text')
        .addColumn('encrypted_secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_endpoints_account').on('webhook_endpoints').columns(['account_id', 'created_at']).execute();

      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_account').on('events').columns(['account_id', 'created_at']).execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('response_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'text')
        .addColumn('leased_until', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'created_at']).execute();

      await db.schema
        .createTable('event_onces')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('until', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createIndex('api_keys_expires_at').on('api_keys').column('expires_at').execute();
    },
  };
}
