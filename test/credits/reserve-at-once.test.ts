// On PostgreSQL a reservation is one statement (src/storage/credits.ts reserveAtOnce): each budget's
// hold, the balance's, the reservation row and its holds, in one round trip. All of it or none: a
// refusal after a hold undoes the hold, and the ledger's transaction then says why. Requests that
// arrive together are reserved together, each with a claim of its own.
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BudgetRefusal } from '../../src/credits/budget-claims.js';
import type { ReserveResult } from '../../src/credits/credit-ledger.js';
import { SettlementBatches } from '../../src/credits/settlement-batches.js';
import { CreditsRepository, type Reservation } from '../../src/storage/credits.js';
import { camelCased, type Storage } from '../../src/storage/storage.js';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { accountWithBudgets, budgetedLedger } from './credit-fixtures.js';

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

  const ledger = () => budgetedLedger(storage).ledger;
  const withBudgets = (credits: number, keyLimit: number, accountLimit: number) => accountWithBudgets(gateway, credits, keyLimit, accountLimit);

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

  it('sends the reservation as a named statement, parsed once per connection and bound after', async () => {
    const { accountId, keyId } = await withBudgets(100, 50, 80);
    const spendRows = [
      { scope: 'key' as const, ownerId: keyId, periodStart: TOTAL, limit: 50 },
      { scope: 'account' as const, ownerId: accountId, periodStart: TOTAL, limit: 80 },
    ];
    const at = new Date().toISOString();
    const reservation = (id: string): Reservation => ({ id, accountId, amount: 1, requestId: null, createdAt: at, expiresAt: at });
    // One connection throughout (a transaction), so its prepared statements can be listed.
    const prepared = await storage.db.transaction().execute(async (trx) => {
      const credits = new CreditsRepository(camelCased(trx));
      expect(await credits.reserveAtOnce(reservation(`led_named_1_${accountId}`), spendRows, at)).toBe(true);
      expect(await credits.reserveAtOnce(reservation(`led_named_2_${accountId}`), spendRows, at)).toBe(true);
      const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like '%insert into credit_reservations%'`.execute(trx);
      return rows;
    });
    expect(prepared).toHaveLength(1);
    expect(prepared[0]!.statement).toContain('insert into budget_holds');
  });

  // Requests of one account that arrive while its reservation statement runs are reserved together by
  // the next one (src/credits/reservation-groups.ts), each with a claim of its own. What a user sees does
  // not change: every request holds exactly its cost, settles on its own, and the last credits go
  // exactly as far, with the same refusals.
  describe('group reservations', () => {
    function engine(): SettlementBatches {
      const { ledger, claims } = budgetedLedger(storage);
      return new SettlementBatches({ storage, ledger, claims, logger: pino({ level: 'silent' }) });
    }

    /** What storage shows: the balance's reserved, each budget's held and spent, and the rows left. */
    async function stored(accountId: string, keyId: string) {
      const [key] = await storage.budgets.listSpend('key', [keyId], [TOTAL]);
      const [account] = await storage.budgets.listSpend('account', [accountId], [TOTAL]);
      const balance = (await storage.credits.findBalance(accountId))!;
      return {
        balance: balance.balance,
        reserved: balance.reserved,
        keyHeld: key?.reserved ?? 0,
        keySpent: key?.spent ?? 0,
        accountHeld: account?.reserved ?? 0,
        accountSpent: account?.spent ?? 0,
        rows: (await storage.credits.listReservations(accountId)).length,
        ledgerSum: await storage.credits.ledgerSum(accountId),
      };
    }

    /** Runs `work`, counting the reservation statements it sends (pg's Client.query, under Kysely). */
    async function countingReservations<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
      let statements = 0;
      const original = pg.Client.prototype.query;
      const query = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
        const [config] = args;
        const text = typeof config === 'string' ? config : String((config as { text?: unknown }).text);
        if (text.includes('insert into credit_reservations')) statements += 1;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as unknown as pg.Client['query']);
      try {
        return { result: await work(), statements };
      } finally {
        query.mockRestore();
      }
    }

    const reserveAll = (batches: SettlementBatches, accountId: string, count: number, amount: number, keyId: string) =>
      Promise.all(Array.from({ length: count }, (_, i) => batches.reserve(accountId, amount, `req_${i}`, keyId)));

    const claimsOf = (results: ReserveResult<BudgetRefusal>[]): Reservation[] => results.flatMap((result) => (result.ok ? [result.reservation] : []));

    it('reserves 100 concurrent requests in a few statements, each holding its own cost and settling on its own', async () => {
      const { accountId, keyId } = await withBudgets(1_000, 500, 800);
      const batches = engine();
      const { result, statements } = await countingReservations(() => reserveAll(batches, accountId, 100, 3, keyId));
      const claims = claimsOf(result);
      expect(claims).toHaveLength(100);
      expect(new Set(claims.map((claim) => claim.id)).size).toBe(100);
      expect(statements).toBeLessThanOrEqual(5);
      const held = await stored(accountId, keyId);
      expect(held).toMatchObject({ balance: 1_000, reserved: 300, keyHeld: 300, accountHeld: 300 });
      expect(held.rows).toBeLessThanOrEqual(statements);

      // Half of them settle (2 credits each): their part of the group comes back, the rest stays held.
      const settled = await Promise.all(claims.slice(0, 50).map((claim) => batches.settle(claim, 2)));
      expect(settled.every((s) => s!.charged === 2)).toBe(true);
      expect(await stored(accountId, keyId)).toMatchObject({ balance: 900, reserved: 150, keyHeld: 150, keySpent: 100, accountHeld: 150, accountSpent: 100, ledgerSum: 900 });

      // Settling one twice charges once; the others end the groups, and nothing is left held.
      expect(await batches.settle(claims[0]!, 2)).toBeNull();
      expect(await batches.renew(claims[99]!)).toBe(true);
      await Promise.all(claims.slice(50).map((claim) => batches.settle(claim, 2)));
      expect(await stored(accountId, keyId)).toEqual({ balance: 800, reserved: 0, keyHeld: 0, keySpent: 200, accountHeld: 0, accountSpent: 200, rows: 0, ledgerSum: 800 });
      expect(await batches.renew(claims[99]!)).toBe(false);
      const entries = await storage.credits.listLedger(accountId, 200);
      expect(new Set(entries.filter((entry) => entry.kind === 'usage').map((entry) => entry.id))).toEqual(new Set(claims.map((claim) => claim.id)));
    });

    it.each([
      ['the balance', 37, 1_000, 1_000],
      ['the key budget', 1_000, 37, 1_000],
      ['the account budget', 1_000, 1_000, 37],
    ])('lets exactly 37 of 200 concurrent requests through when %s covers 37, refusing the others as alone', async (_what, credits, keyLimit, accountLimit) => {
      const { accountId, keyId } = await withBudgets(credits, keyLimit, accountLimit);
      const batches = engine();
      const results = await reserveAll(batches, accountId, 200, 1, keyId);
      expect(claimsOf(results)).toHaveLength(37);
      const refusals = results.filter((result) => !result.ok);
      if (credits === 37) expect(refusals.every((result) => 'available' in result && result.available === 0)).toBe(true);
      else expect(refusals.every((result) => 'refused' in result && result.refused.available === 0 && result.refused.limit === 37)).toBe(true);
      expect(await stored(accountId, keyId)).toMatchObject({ reserved: 37, keyHeld: 37, accountHeld: 37 });
      await Promise.all(claimsOf(results).map((claim) => batches.settle(claim, 1)));
      expect(await stored(accountId, keyId)).toMatchObject({ balance: credits - 37, reserved: 0, keyHeld: 0, keySpent: 37, accountHeld: 0, accountSpent: 37, rows: 0, ledgerSum: credits - 37 });
    });
  });
});
