// Migration 008 (issue 9 item 5):
// - credit_balances: usage beyond a request's hold is debt (SPEC §6), so a balance may go below
//   zero; `reserved` still may not. 004's CHECK (reserved >= 0 AND balance >= reserved) becomes
//   CHECK (reserved >= 0). That reserve never holds more than the balance stays a property of the
//   reserve statement (`WHERE balance - reserved >= cost AND balance > 0`).
//   SQLite cannot drop a constraint, so the table is rebuilt in one transaction (the documented
//   procedure of https://www.sqlite.org/lang_altertable.html §7; nothing references this table).
// - providers.output_cap_field: the chat field the upstream honours for the output cap
//   (null: max_completion_tokens).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export function creditDebt(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('providers').addColumn('output_cap_field', 'text').execute();
      if (dialect === 'postgres') {
        // Already inside the migrator's transaction (PostgreSQL has transactional DDL).
        await sql`ALTER TABLE credit_balances DROP CONSTRAINT credit_balances_reserved_within_balance`.execute(db);
        await sql`ALTER TABLE credit_balances ADD CONSTRAINT credit_balances_reserved_not_negative CHECK (reserved >= 0)`.execute(db);
        return;
      }
      await db.transaction().execute(async function rebuildCreditBalances(tx) {
        await tx.schema
          .createTable('credit_balances_008')
          .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
          .addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('reserved', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addCheckConstraint('credit_balances_reserved_not_negative', sql`reserved >= 0`)
          .execute();
        await sql`INSERT INTO credit_balances_008 (account_id, balance, reserved, updated_at) SELECT account_id, balance, reserved, updated_at FROM credit_balances`.execute(tx);
        await tx.schema.dropTable('credit_balances').execute();
        await tx.schema.alterTable('credit_balances_008').renameTo('credit_balances').execute();
      });
    },
  };
}
