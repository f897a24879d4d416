// On PostgreSQL a reservation is one statement (src/storage/credits.ts reserveAtOnce): each budget's
// hold, the balance's, the reservation row and its holds, in one round trip. All of it or none: a
// refusal after a hold undoes the hold, and the ledger's transaction then says why.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BudgetClaims, type BudgetRefusal } from '../../src/credits/budget-claims.js';
import { CreditLedger } from '../../src/credits/credit-ledger.js';
import type { Reservation } from '../../src/storage/credits.js';
import type { Storage } from '../../src/storage/storage.js';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { accountWithCredits } from './credit-fixtures.js';

const postgres = databaseTargets().find((target) => target.name === 'postgres');
if (!postgres) console.warn('reserve-at-once tests skipped: set TOLLGATE_TEST_DATABASE_URL=postgres://… to run them.');

const TOTAL = '1970-01-01T00:00:00.000Z';

describe.skipIf(!postgres)('a reservation in one statement on PostgreSQL', () => {
  let gateway: TestGateway;
  let storage: Storage;

  beforeAll(async () => {
    gateway = await startTestGateway({ target: postgres! });
    storage = gateway.services.storage;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  function ledger(): CreditLedger<BudgetRefusal> {
    const claims = new BudgetClaims({ clock: () => new Date(), budgetsFor: (keyId, accountId) => storage.budgets.forRequest(keyId, accountId), onThreshold: () => {}, onError: () => {} });
    return new CreditLedger(storage, { settleAlso: claims.settle, reserveAlso: (keyId, accountId) => claims.forRequest(keyId, accountId) });
  }

  async function withBudgets(credits: number, keyLimit: number, accountLimit: number): Promise<{ accountId: string; keyId: string }> {
    const accountId = await accountWithCredits(gateway, credits);
    const keyId = `key_${accountId}`;
    const at = new Date().toISOString();
    await storage.budgets.upsert({ scope: 'key', ownerId: keyId, accountId, creditLimit: keyLimit, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
    await storage.budgets.upsert({ scope: 'account', ownerId: accountId, accountId, creditLimit: accountLimit, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
    return { accountId, keyId };
  }

  async function spends(accountId: string, keyId: string) {
    const [key] = await storage.budgets.listSpend('key', [keyId], [TOTAL]);
    const [account] = await storage.budgets.listSpend('account', [accountId], [TOTAL]);
    return { key: key?.reserved ?? 0, account: account?.reserved ?? 0, balance: (await storage.credits.findBalance(accountId))!.reserved };
  }

  it('holds the budgets, the balance, the reservation and its holds without a transaction', async () => {
    const { accountId, keyId } = await withBudgets(100, 50, 80);
    const transaction = vi.spyOn(storage, 'transaction');
    const held = await ledger().reserve(accountId, 10, 'req_1', keyId);
    expect(transaction).not.toHaveBeenCalled();
    transaction.mockRestore();
    expect(held.ok).toBe(true);
    const { reservation } = held as { reservation: Reservation };
    expect(await spends(accountId, keyId)).toEqual({ key: 10, account: 10, balance: 10 });
    expect(await storage.credits.listReservations(accountId)).toEqual([reservation]);
    const holds = await storage.budgets.takeHolds(reservation.id);
    expect(holds.map((hold) => [hold.scope, hold.ownerId, hold.periodStart, hold.amount])).toEqual([
      ['key', keyId, TOTAL, 10],
      ['account', accountId, TOTAL, 10],
    ]);
  });

  it('undoes the key budget’s hold when the account budget refuses, and says which refused', async () => {
    const { accountId, keyId } = await withBudgets(100, 50, 5);
    const reservation: Reservation = { id: 'led_partial_account', accountId, amount: 10, requestId: null, createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() };
    const spendRows = [
      { scope: 'key' as const, ownerId: keyId, periodStart: TOTAL, limit: 50 },
      { scope: 'account' as const, ownerId: accountId, periodStart: TOTAL, limit: 5 },
    ];
    expect(await storage.credits.reserveAtOnce(reservation, spendRows, new Date().toISOString())).toBe(false);
    expect(await spends(accountId, keyId)).toEqual({ key: 0, account: 0, balance: 0 });
    expect(await storage.credits.listReservations(accountId)).toEqual([]);
    expect(await ledger().reserve(accountId, 10, 'req_2', keyId)).toMatchObject({ ok: false, refused: { scope: 'account', limit: 5, available: 5 } });
    expect(await spends(accountId, keyId)).toEqual({ key: 0, account: 0, balance: 0 });
  });

  it('undoes both budget holds when the balance refuses, and says what is available', async () => {
    const { accountId, keyId } = await withBudgets(3, 50, 80);
    expect(await ledger().reserve(accountId, 10, 'req_3', keyId)).toEqual({ ok: false, available: 3 });
    expect(await spends(accountId, keyId)).toEqual({ key: 0, account: 0, balance: 0 });
    expect(await storage.credits.listReservations(accountId)).toEqual([]);
  });

  it.each([
    ['key', 37, 1_000],
    ['account', 1_000, 37],
  ] as const)('lets exactly 37 of 200 concurrent reservations through the %s budget of 37, holding nothing for the others', async (scope, keyLimit, accountLimit) => {
    const { accountId, keyId } = await withBudgets(1_000, keyLimit, accountLimit);
    const engine = ledger();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => engine.reserve(accountId, 1, `req_c${i}`, keyId)));
    expect(results.filter((result) => result.ok)).toHaveLength(37);
    expect(results.filter((result) => !result.ok && 'refused' in result && result.refused.scope === scope)).toHaveLength(163);
    expect(await spends(accountId, keyId)).toEqual({ key: 37, account: 37, balance: 37 });
    expect(await storage.credits.listReservations(accountId)).toHaveLength(37);
  });
});
