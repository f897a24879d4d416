// Budgets (SPEC §8, issue 11 item 2): spend caps over calendar periods on keys and accounts.
//
// - budgets: one per (scope, owner): scope `key` (owner = the key id) or `account` (owner = the
//   account id); `account_id` is the owning account either way, so deleting it removes them.
// - budget_spend: what was spent in one period, keyed by the period's first instant. A new period
//   is simply a new row, so rollover needs no job and no "reset" write racing the requests of the
//   first second of a period; old rows are history. `spent` is settled charges, `reserved` the holds
//   of requests in flight, `announced` the highest threshold (80, 90, 100) announced this period.
// - budget_holds: what each credit reservation holds against which spend row, so settling (or the
//   sweeper releasing a dead node's reservation) gives back exactly what was taken.
import { sql, type Kysely } from 'kysely';

export function budgets() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('budgets')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('credit_limit', 'bigint', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('budgets_pk', ['scope', 'owner_id'])
        .addCheckConstraint('budgets_limit_positive', sql`credit_limit > 0`)
        .execute();
      await db.schema.createIndex('budgets_account').on('budgets').column('account_id').execute();

      await db.schema
        .createTable('budget_spend')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('period_start', 'text', (c) => c.notNull())
        .addColumn('spent', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('reserved', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('announced', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('budget_spend_pk', ['scope', 'owner_id', 'period_start'])
        .addCheckConstraint('budget_spend_reserved_not_negative', sql`reserved >= 0`)
        .execute();

      await db.schema
        .createTable('budget_holds')
        .addColumn('reservation_id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('period_start', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('budget_holds_pk', ['reservation_id', 'scope'])
        .execute();
    },
  };
}
