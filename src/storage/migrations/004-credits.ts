// Credits, prices and per-account limit overrides (SPEC §6).
//
// - credit_balances: one row per account that ever held credits. `balance` is the ledger sum;
//   `reserved` is held by requests in flight. CHECK constraints make "never below zero" and
//   "never reserve more than the balance" a property of the database, not only of the code.
// - credit_ledger: append-only; `id` is unique per request charge (the reservation id) and
//   `idempotency_key` is unique per operator grant, so retries never double-count.
// - credit_reservations: holds in flight, one per admitted priced request, swept after
//   `expires_at` if a node died before settling.
// - prices: operator prices per model/alias or route (they override the config file).
// - account_limits: operator overrides of rpm / tpm / concurrency per account (null = default).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export function credits(dialect: Dialect) {
  const serial = dialect === 'postgres' ? ('bigserial' as const) : ('integer' as const);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('credit_balances')
        .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
        .addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('reserved', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addCheckConstraint('credit_balances_reserved_within_balance', sql`reserved >= 0 AND balance >= reserved`)
        .execute();

      await db.schema
        .createTable('credit_ledger')
        .addColumn('seq', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('balance_after', 'bigint', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .addColumn('fingerprint', 'text')
        .addColumn('actor_id', 'text')
        .addColumn('reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('credit_ledger_account').on('credit_ledger').columns(['account_id', 'seq']).execute();

      await db.schema
        .createTable('credit_reservations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('credit_reservations_expiry').on('credit_reservations').column('expires_at').execute();
      await db.schema.createIndex('credit_reservations_account').on('credit_reservations').column('account_id').execute();

      await db.schema
        .createTable('prices')
        .addColumn('target_kind', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('input_per_mtok', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('output_per_mtok', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('per_request', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('max_output_tokens', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('prices_pk', ['target_kind', 'target'])
        .execute();

      await db.schema
        .createTable('account_limits')
        .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
        .addColumn('rpm', 'integer')
        .addColumn('tpm', 'integer')
        .addColumn('concurrency', 'integer')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
