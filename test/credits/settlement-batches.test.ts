// Settlements of the storage ledger written in batches (src/credits/settlement-batches.ts), on every
// database: what many concurrent settlements charge is exactly what settling them one by one would
// (whole credits, and what the carry makes in order), one ledger entry each; settling twice charges
// once; budgets count the charges and announce their thresholds; a settlement that cannot be written
// fails alone.
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BudgetClaims, type BudgetThresholdData } from '../../src/credits/budget-claims.js';
import { CreditLedger } from '../../src/credits/credit-ledger.js';
import { SettlementBatches } from '../../src/credits/settlement-batches.js';
import { UNITS_PER_CREDIT } from '../../src/core/sub-credits.js';
import type { Reservation } from '../../src/storage/credits.js';
import type { Storage } from '../../src/storage/storage.js';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { accountWithCredits } from './credit-fixtures.js';

const TOTAL = '1970-01-01T00:00:00.000Z';

for (const target of databaseTargets()) {
  describe(`settlement batches on ${target.name}`, () => {
    let gateway: TestGateway;
    let storage: Storage;
    const announced: { accountId: string; data: BudgetThresholdData }[] = [];

    function engine() {
      const claims = new BudgetClaims({
        clock: () => new Date(),
        budgetsFor: (keyId, accountId) => storage.budgets.forRequest(keyId, accountId),
        onThreshold: (accountId, data) => void announced.push({ accountId, data }),
        onError: (error) => {
          throw error;
        },
      });
      const ledger = new CreditLedger(storage, { settleAlso: claims.settle, reserveAlso: (keyId, accountId) => claims.forRequest(keyId, accountId) });
      return new SettlementBatches({ storage, ledger, claims, logger: pino({ level: 'silent' }) });
    }

    async function reserveMany(batches: SettlementBatches, accountId: string, count: number, amount: number, keyId: string | null = null): Promise<Reservation[]> {
      const reservations: Reservation[] = [];
      for (let i = 0; i < count; i++) {
        const held = await batches.reserve(accountId, amount, `req_${i}`, keyId);
        if (!held.ok) throw new Error(`reservation ${i} refused`);
        reservations.push(held.reservation);
      }
      return reservations;
    }

    beforeAll(async () => {
      gateway = await startTestGateway({ target });
      storage = gateway.services.storage;
    });
    afterAll(async () => {
      await gateway?.close();
    });

    it('charges 300 concurrent settlements in a few transactions exactly as one by one: whole credits, the carry in order, one entry each', async () => {
      const accountId = await accountWithCredits(gateway, 1_000);
      const batches = engine();
      const reservations = await reserveMany(batches, accountId, 301, 2);
      // Half a credit carried before the batch: the batch's own carry starts there.
      expect(await batches.settle(reservations.pop()!, 0, UNITS_PER_CREDIT / 2n)).toEqual({ charged: 0, balance: 1_000 });
      // 1 credit and 0.3 of one each: 300 + ⌊0.5 + 300 × 0.3⌋ = 390, half a credit carried at the end.
      const fraction = (UNITS_PER_CREDIT * 3n) / 10n;
      const transaction = vi.spyOn(storage, 'transaction');
      const results = await Promise.all(reservations.map((reservation) => batches.settle(reservation, 1, fraction)));
      const transactions = transaction.mock.calls.length;
      transaction.mockRestore();
      expect(transactions).toBeLessThanOrEqual(3);
      const charged = results.map((result) => result!.charged);
      expect(charged.reduce((sum, c) => sum + c, 0)).toBe(390);
      // The carry makes its credit in turn: 0.8, 1.1 → 0.1, 0.4, 0.7, 1.0 → 0, 0.3, 0.6, 0.9, 1.2 → 0.2, 0.5…
      expect(charged.slice(0, 10)).toEqual([1, 2, 1, 1, 2, 1, 1, 1, 2, 1]);
      expect(results.at(-1)).toEqual({ charged: charged.at(-1), balance: 610 });
      expect(await storage.credits.findBalance(accountId)).toMatchObject({ balance: 610, reserved: 0, carry: Number(UNITS_PER_CREDIT / 2n) });
      const entries = await storage.credits.listLedger(accountId, 400);
      const usage = entries.filter((entry) => entry.kind === 'usage');
      expect(usage).toHaveLength(300);
      // Newest first: each entry's balance after is the one before it minus its own charge.
      const byId = new Map(results.map((result, i) => [reservations[i]!.id, result!]));
      for (const entry of usage) expect({ amount: -entry.amount, balanceAfter: entry.balanceAfter }).toEqual({ amount: byId.get(entry.id)!.charged, balanceAfter: byId.get(entry.id)!.balance });
      expect(await storage.credits.ledgerSum(accountId)).toBe(610);
      expect(await storage.credits.listReservations(accountId)).toEqual([]);
    });

    it('settles several accounts and keys in one batch, each account charged its own, each budget counting its own', async () => {
      const batches = engine();
      const at = new Date().toISOString();
      const accounts = await Promise.all([accountWithCredits(gateway, 500), accountWithCredits(gateway, 500), accountWithCredits(gateway, 500)]);
      const reservations: Reservation[] = [];
      for (const [n, accountId] of accounts.entries()) {
        await storage.budgets.upsert({ scope: 'account', ownerId: accountId, accountId, creditLimit: 400, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
        for (const key of [`key_${accountId}_a`, `key_${accountId}_b`]) {
          await storage.budgets.upsert({ scope: 'key', ownerId: key, accountId, creditLimit: 200, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
          reservations.push(...(await reserveMany(batches, accountId, 5 + n, 3, key)));
        }
      }
      const transaction = vi.spyOn(storage, 'transaction');
      // Account n settles 2 × (5 + n) requests of 2 credits each, in shuffled order.
      const shuffled = [...reservations].sort((a, b) => (a.id < b.id ? 1 : -1));
      const results = await Promise.all(shuffled.map((reservation) => batches.settle(reservation, 2)));
      expect(transaction.mock.calls.length).toBeLessThanOrEqual(2);
      transaction.mockRestore();
      expect(results.every((result) => result?.charged === 2)).toBe(true);
      for (const [n, accountId] of accounts.entries()) {
        const charged = 2 * 2 * (5 + n);
        expect(await storage.credits.findBalance(accountId)).toMatchObject({ balance: 500 - charged, reserved: 0 });
        expect(await storage.credits.ledgerSum(accountId)).toBe(500 - charged);
        expect(await storage.budgets.listSpend('account', [accountId], [TOTAL])).toMatchObject([{ spent: charged, reserved: 0 }]);
        expect(await storage.budgets.listSpend('key', [`key_${accountId}_a`, `key_${accountId}_b`], [TOTAL])).toMatchObject([
          { spent: charged / 2, reserved: 0 },
          { spent: charged / 2, reserved: 0 },
        ]);
      }
    });

    it('charges a reservation settled twice once, in the same batch and in the next', async () => {
      const accountId = await accountWithCredits(gateway, 100);
      const batches = engine();
      const [reservation] = await reserveMany(batches, accountId, 1, 10);
      const [first, second] = await Promise.all([batches.settle(reservation!, 4), batches.settle(reservation!, 4)]);
      expect([first, second]).toEqual([{ charged: 4, balance: 96 }, null]);
      expect(await batches.settle(reservation!, 4)).toBeNull();
      expect(await storage.credits.findBalance(accountId)).toMatchObject({ balance: 96, reserved: 0 });
      expect(await storage.credits.ledgerSum(accountId)).toBe(96);
    });

    it('still charges a reservation the sweeper released, never free', async () => {
      const accountId = await accountWithCredits(gateway, 100);
      const batches = engine();
      const [reservation] = await reserveMany(batches, accountId, 1, 10);
      expect(await new CreditLedger(storage).settle(reservation!, 0)).toEqual({ charged: 0, balance: 100 });
      expect(await batches.settle(reservation!, 7)).toEqual({ charged: 7, balance: 93 });
      expect(await storage.credits.findBalance(accountId)).toMatchObject({ balance: 93, reserved: 0 });
    });

    it('settles the others one by one when one settlement of a batch cannot be written, and fails that one alone', async () => {
      const accountId = await accountWithCredits(gateway, 100);
      const batches = engine();
      const reservations = await reserveMany(batches, accountId, 3, 5);
      const orphan: Reservation = { ...reservations[0]!, id: 'led_no_such_reservation', accountId: 'acc_no_such_account' };
      const settled = await Promise.allSettled([...reservations.map((reservation) => batches.settle(reservation, 5)), batches.settle(orphan, 5)]);
      expect(settled.slice(0, 3).map((s) => s.status === 'fulfilled' && s.value)).toEqual([
        { charged: 5, balance: 95 },
        { charged: 5, balance: 90 },
        { charged: 5, balance: 85 },
      ]);
      expect(settled[3]).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('no balance') } });
      expect(await storage.credits.findBalance(accountId)).toMatchObject({ balance: 85, reserved: 0 });
      expect(await storage.credits.ledgerSum(accountId)).toBe(85);
    });

    it('gives budgets their holds back, counts the charges, and announces each threshold crossed once', async () => {
      const accountId = await accountWithCredits(gateway, 1_000);
      const keyId = `key_${accountId}`;
      const at = new Date().toISOString();
      await storage.budgets.upsert({ scope: 'account', ownerId: accountId, accountId, creditLimit: 100, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
      await storage.budgets.upsert({ scope: 'key', ownerId: keyId, accountId, creditLimit: 50, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
      const batches = engine();
      const reservations = await reserveMany(batches, accountId, 9, 5, keyId);
      const [keySpend] = await storage.budgets.listSpend('key', [keyId], [TOTAL]);
      expect(keySpend).toMatchObject({ spent: 0, reserved: 45 });
      announced.length = 0;
      // 9 × 5 = 45 of the key's 50 (90%), 45 of the account's 100 (45%); the carry adds nothing.
      await Promise.all(reservations.map((reservation) => batches.settle(reservation, 5)));
      expect(await storage.budgets.listSpend('key', [keyId], [TOTAL])).toMatchObject([{ spent: 45, reserved: 0, announced: 90 }]);
      expect(await storage.budgets.listSpend('account', [accountId], [TOTAL])).toMatchObject([{ spent: 45, reserved: 0, announced: 0 }]);
      expect(announced.map(({ data }) => [data.scope, data.percent, data.spent])).toEqual([
        ['key', 80, 45],
        ['key', 90, 45],
      ]);
      // The key's budget now refuses more than its last 5.
      expect(await batches.reserve(accountId, 6, 'req_over', keyId)).toMatchObject({ ok: false, refused: { scope: 'key', available: 5 } });
    });

    it.runIf(target.name === 'postgres')('takes a batch\'s reservations, their budget holds and the budgets in one statement on PostgreSQL', async () => {
      const accountId = await accountWithCredits(gateway, 1_000);
      const keyId = `key_${accountId}`;
      const at = new Date().toISOString();
      await storage.budgets.upsert({ scope: 'key', ownerId: keyId, accountId, creditLimit: 500, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
      const batches = engine();
      const [reservation] = await reserveMany(batches, accountId, 1, 7, keyId);
      const sent = await statementsSentDuring(async () => expect(await batches.settle(reservation!, 3)).toEqual({ charged: 3, balance: 997 }));
      const touching = sent.filter((text) => /credit_reservations|budget_holds|from "budgets"|join budgets/.test(text));
      expect(touching).toHaveLength(1);
      expect(await storage.budgets.listSpend('key', [keyId], [TOTAL])).toMatchObject([{ spent: 3, reserved: 0 }]);
    });

    it.runIf(target.name === 'postgres')('settles a batch under a key and an account budget in six round trips on PostgreSQL, its BEGIN not waiting for the disk', async () => {
      const accountId = await accountWithCredits(gateway, 1_000);
      const keyId = `key_${accountId}`;
      const at = new Date().toISOString();
      await storage.budgets.upsert({ scope: 'key', ownerId: keyId, accountId, creditLimit: 500, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
      await storage.budgets.upsert({ scope: 'account', ownerId: accountId, accountId, creditLimit: 500, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
      const batches = engine();
      const [reservation] = await reserveMany(batches, accountId, 1, 7, keyId);
      const sent = await statementsSentDuring(async () => expect(await batches.settle(reservation!, 3)).toEqual({ charged: 3, balance: 997 }));
      // BEGIN with synchronous_commit off, the take, both spend rows, the balance, the ledger entry, COMMIT.
      expect(sent).toHaveLength(6);
      expect(sent[0]).toBe('begin; set local synchronous_commit = off');
      expect(sent.filter((text) => text.includes('update budget_spend'))).toHaveLength(1);
      expect(sent[5]).toBe('commit');
      expect(await storage.budgets.listSpend('key', [keyId], [TOTAL])).toMatchObject([{ spent: 3, reserved: 0 }]);
      expect(await storage.budgets.listSpend('account', [accountId], [TOTAL])).toMatchObject([{ spent: 3, reserved: 0 }]);
      expect(await storage.credits.ledgerSum(accountId)).toBe(997);
    });
  });
}

/** Every statement sent while `work` runs, by its text (pg's Client.query, under Kysely). */
async function statementsSentDuring(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  const query = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const [config] = args;
    sent.push(typeof config === 'string' ? config : String((config as { text?: unknown }).text));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as unknown as pg.Client['query']);
  try {
    await work();
  } finally {
    query.mockRestore();
  }
  return sent;
}
