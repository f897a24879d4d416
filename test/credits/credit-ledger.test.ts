// The credit ledger on every database: grants and debits, idempotency, reservations that settle
// once, and the invariants — reserved never goes below zero, and the balance (below zero only
// by usage beyond a hold: debt) always equals the ledger sum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreditEngine } from '../../src/credits/credit-engine.js';
import { CreditLedger } from '../../src/credits/credit-ledger.js';
import type { Services } from '../../src/services.js';
import { databaseTargets } from '../support/databases.js';
import { signUp, startTestGateway, type TestGateway } from '../support/harness.js';

async function newAccount(gateway: TestGateway): Promise<string> {
  const user = await signUp(gateway.app);
  return (await gateway.services.storage.accounts.findPersonal(user.userId))!.id;
}

async function expectConsistent(services: Services, accountId: string): Promise<void> {
  const balance = await services.credits.ledger.balance(accountId);
  expect(balance.balance).toBeGreaterThanOrEqual(balance.reserved);
  expect(balance.reserved).toBeGreaterThanOrEqual(0);
  expect(await services.storage.credits.ledgerSum(accountId)).toBe(balance.balance);
}

for (const target of databaseTargets()) {
  describe(`credit ledger on ${target.name}`, () => {
    let gateway: TestGateway;
    let ledger: CreditEngine;
    beforeAll(async () => {
      gateway = await startTestGateway({ target });
      ledger = gateway.services.credits.ledger;
    });
    afterAll(async () => {
      await gateway?.close();
    });

    it('grants and debits credits, keeping the balance equal to the ledger sum', async () => {
      const accountId = await newAccount(gateway);
      const granted = await ledger.grant({ accountId, amount: 100, reason: 'welcome', actorId: null, requestId: null });
      expect(granted.kind === 'created' && granted.entry.balanceAfter).toBe(100);
      const debited = await ledger.grant({ accountId, amount: -30, reason: null, actorId: null, requestId: null });
      expect(debited.kind === 'created' && debited.entry.kind).toBe('debit');
      expect((await ledger.balance(accountId)).balance).toBe(70);
      await expectConsistent(gateway.services, accountId);
    });

    it('refuses a debit below what is available and writes nothing', async () => {
      const accountId = await newAccount(gateway);
      await ledger.grant({ accountId, amount: 50, reason: null, actorId: null, requestId: null });
      const held = await ledger.reserve(accountId, 20, 'req_1');
      expect(held.ok).toBe(true);
      expect(await ledger.grant({ accountId, amount: -31, reason: null, actorId: null, requestId: null })).toEqual({ kind: 'insufficient', available: 30 });
      expect(await gateway.services.storage.credits.listLedger(accountId, 10)).toHaveLength(1);
      await expectConsistent(gateway.services, accountId);
    });

    it('writes one entry per Idempotency-Key, even for concurrent retries, and refuses the key for another request', async () => {
      const accountId = await newAccount(gateway);
      const grant = (amount: number) => ledger.grant({ accountId, amount, reason: null, actorId: null, requestId: null, idempotencyKey: 'k-1', fingerprint: `f${amount}` });
      const results = await Promise.all(Array.from({ length: 10 }, () => grant(25)));
      expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
      const ids = new Set(results.map((r) => (r.kind === 'created' || r.kind === 'replayed' ? r.entry.id : 'none')));
      expect(ids.size).toBe(1);
      expect((await grant(26)).kind).toBe('idempotency_mismatch');
      expect((await ledger.balance(accountId)).balance).toBe(25);
      await expectConsistent(gateway.services, accountId);
    });

    it('reserves only what is available and settles a reservation exactly once', async () => {
      const accountId = await newAccount(gateway);
      await ledger.grant({ accountId, amount: 10, reason: null, actorId: null, requestId: null });
      expect(await ledger.reserve(accountId, 11, 'req_x')).toEqual({ ok: false, available: 10 });
      const held = await ledger.reserve(accountId, 8, 'req_y');
      if (!held.ok) throw new Error('expected a reservation');
      expect(await ledger.reserve(accountId, 3, 'req_z')).toEqual({ ok: false, available: 2 });
      const [first, second] = await Promise.all([ledger.settle(held.reservation, 5), ledger.settle(held.reservation, 5)]);
      expect([first, second].filter((r) => r !== null)).toEqual([{ charged: 5, balance: 5 }]);
      expect(await ledger.balance(accountId)).toMatchObject({ balance: 5, reserved: 0 });
      const usage = (await gateway.services.storage.credits.listLedger(accountId, 10))[0]!;
      expect(usage).toMatchObject({ id: held.reservation.id, amount: -5, kind: 'usage', requestId: 'req_y', balanceAfter: 5 });
      await expectConsistent(gateway.services, accountId);
    });

    // Changed by design (issue 9 item 5e): usage beyond the hold used to be capped at what the
    // account could pay; it is now charged in full as debt (SPEC §6), see overage-debt.test.ts.
    it('charges usage beyond the reservation in full, without touching other holds', async () => {
      const accountId = await newAccount(gateway);
      await ledger.grant({ accountId, amount: 20, reason: null, actorId: null, requestId: null });
      const mine = await ledger.reserve(accountId, 5, 'req_a');
      const other = await ledger.reserve(accountId, 10, 'req_b');
      if (!mine.ok || !other.ok) throw new Error('expected reservations');
      expect(await ledger.settle(mine.reservation, 50)).toEqual({ charged: 50, balance: -30 });
      expect(await ledger.balance(accountId)).toMatchObject({ balance: -30, reserved: 10 });
      expect(await ledger.settle(other.reservation, 10)).toEqual({ charged: 10, balance: -40 });
      expect(await ledger.balance(accountId)).toMatchObject({ balance: -40, reserved: 0 });
      expect(await gateway.services.storage.credits.ledgerSum(accountId)).toBe(-40);
    });

    it('releases reservations a dead node never settled once they expire', async () => {
      const accountId = await newAccount(gateway);
      await ledger.grant({ accountId, amount: 10, reason: null, actorId: null, requestId: null });
      const shortLived = new CreditLedger(gateway.services.storage, { reservationTtlMs: -1 });
      expect((await shortLived.reserve(accountId, 7, 'req_dead')).ok).toBe(true);
      expect((await ledger.balance(accountId)).reserved).toBe(7);
      expect(await ledger.sweepExpired()).toBeGreaterThanOrEqual(1);
      expect(await ledger.balance(accountId)).toMatchObject({ balance: 10, reserved: 0 });
      expect(await gateway.services.storage.credits.listReservations(accountId)).toEqual([]);
    });
  });
}
