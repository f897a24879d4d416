// Migration 011 (issue 13 item 3): the Stripe events that granted credits. `event_id` is the
// primary key and `session_id` is unique, and a row is written in the same transaction as its
// ledger grant, so a webhook delivered many times (or two events for one Checkout Session)
// grants once, on SQLite and PostgreSQL alike: every later attempt loses on the index and rolls
// back its grant.
import type { Kysely } from 'kysely';

export function stripeEvents() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('stripe_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('ledger_entry_id', 'text', (c) => c.notNull())
        .addColumn('amount_total', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('credits', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('stripe_events_account').on('stripe_events').columns(['account_id', 'created_at']).execute();
    },
  };
}
