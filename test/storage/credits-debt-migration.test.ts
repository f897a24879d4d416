// Migration 008 on both databases: balances written under 004's CHECK survive the change, a
// balance may then go below zero (debt, SPEC §6), and `reserved` still may not.
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { openMigrationDatabase } from '../support/migration-database.js';

for (const target of databaseTargets()) {
  describe(`migration 008 (balances may go below zero) on ${target.name}`, () => {
    it('keeps existing balances, then accepts a negative balance and still refuses a negative hold', async () => {
      const { db, migrator, close } = await openMigrationDatabase(target);
      try {
        expect((await migrator.migrateTo('004-credits')).error).toBeUndefined();
        const at = new Date().toISOString();
        await db.insertInto('accounts').values({ id: 'acc_1', name: 'a', kind: 'personal', created_at: at, updated_at: at }).execute();
        await db.insertInto('credit_balances').values({ account_id: 'acc_1', balance: 70, reserved: 20, updated_at: at }).execute();
        await expect(db.updateTable('credit_balances').set({ balance: -5 }).execute()).rejects.toThrow();

        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        expect(await db.selectFrom('credit_balances').select(['account_id', 'balance', 'reserved', 'updated_at']).execute()).toEqual([
          { account_id: 'acc_1', balance: 70, reserved: 20, updated_at: at },
        ]);
        await db.updateTable('credit_balances').set({ balance: -5 }).execute();
        expect(Number((await db.selectFrom('credit_balances').select('balance').executeTakeFirstOrThrow()).balance)).toBe(-5);
        await expect(db.updateTable('credit_balances').set({ reserved: -1 }).execute()).rejects.toThrow();
        // The account's cascade still reaches the rebuilt table.
        await db.deleteFrom('accounts').where('id', '=', 'acc_1').execute();
        expect(await db.selectFrom('credit_balances').selectAll().execute()).toEqual([]);
      } finally {
        await close();
      }
    });
  });
}
