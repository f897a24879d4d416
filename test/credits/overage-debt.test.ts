// Usage beyond the hold is debt, never forgiven (SPEC §6, issue 9 item 5e): the full charge lands
// on the ledger, the balance may go below zero, and a priced request is refused until the account
// is topped up above zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { admissionFor, errorCode, setPrice } from './credit-fixtures.js';

for (const target of databaseTargets()) {
  describe(`overage as debt on ${target.name}`, () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ target });
      await setPrice(gateway.services, 'priced-model', { perRequest: 5 });
    });
    afterAll(async () => {
      await gateway?.close();
    });

    it('charges usage beyond the hold in full, shows the debt, and refuses priced requests until topped up', async () => {
      const { services } = gateway;
      const ledger = services.credits.ledger;
      const user = await signUp(gateway.app);
      const accountId = (await services.storage.accounts.findPersonal(user.userId))!.id;
      await ledger.grant({ accountId, amount: 20, reason: null, actorId: null, requestId: null });
      const mine = await ledger.reserve(accountId, 5, 'req_a');
      const other = await ledger.reserve(accountId, 10, 'req_b');
      if (!mine.ok || !other.ok) throw new Error('expected reservations');

      // The upstream ignored the cap: 50 credits of usage against a hold of 5.
      expect(await ledger.settle(mine.reservation, 50)).toEqual({ charged: 50, balance: -30 });
      expect(await ledger.balance(accountId)).toMatchObject({ balance: -30, reserved: 10 });
      expect((await services.storage.credits.listLedger(accountId, 1))[0]).toMatchObject({ amount: -50, kind: 'usage', balanceAfter: -30 });
      expect(await ledger.settle(other.reservation, 10)).toEqual({ charged: 10, balance: -40 });
      expect(await services.storage.credits.ledgerSum(accountId)).toBe(-40);

      expect(errorCode(await services.admission.admit(admissionFor(accountId)))).toBe('insufficient_credits');
      // A top-up is always accepted, even while it leaves the account in debt.
      expect((await ledger.grant({ accountId, amount: 40, reason: null, actorId: null, requestId: null })).kind).toBe('created');
      expect(errorCode(await services.admission.admit(admissionFor(accountId)))).toBe('insufficient_credits');
      await ledger.grant({ accountId, amount: 10, reason: null, actorId: null, requestId: null });
      const admitted = await services.admission.admit(admissionFor(accountId));
      expect(errorCode(admitted)).toBeNull();
      if (admitted.ok) await admitted.ticket.settle(null, 'failed');
      expect(await ledger.balance(accountId)).toMatchObject({ balance: 10, reserved: 0 });
    });
  });
}
