// SPEC §6 "charges are exact" (issue 11 item 4) on every database: a request is charged its exact
// price through the account's carry, in the settle transaction — 1,000 calls of 7 input and 4
// output tokens at 150/600 credits per Mtok cost floor(1000 × 0.00345) = 3 credits in all, not
// 1,000 — with settlements running concurrently, the ledger sum equal to the balance, and the
// carry below one credit. Operator prices with decimals are stored and charged exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNITS_PER_CREDIT } from '../../src/core/sub-credits.js';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { accountWithCredits, admissionFor, expectNoReservationLeft, setPrice } from './credit-fixtures.js';

const CALLS = 1_000;
const AT_ONCE = 25;

for (const target of databaseTargets()) {
  describe(`exact charges on ${target.name}`, () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ target });
    });
    afterAll(async () => {
      await gateway?.close();
    });

    async function call(accountId: string, model: string, usage: { inputTokens: number; outputTokens: number }): Promise<number> {
      const decision = await gateway.services.admission.admit(admissionFor(accountId, { price: { kind: 'model', call: { name: model, via: 'alias', targets: [{ provider: 'upstream', owner: 'server', model }] } }, estimatedInputTokens: 7, maxOutputTokens: 4 }));
      if (!decision.ok) throw new Error(`refused: ${decision.error.code}`);
      return (await decision.ticket.settle(usage, 'ok')).credits;
    }

    it('charges 1,000 calls of 7 in / 4 out at 150/600 per Mtok 3 credits in all, the ledger equal to the balance and the carry under a credit', async () => {
      await setPrice(gateway.services, 'mini-exact', { input: 150, output: 600 });
      const accountId = await accountWithCredits(gateway, 100);
      let charged = 0;
      for (let done = 0; done < CALLS; done += AT_ONCE) {
        // Settlements of one account race each other: none may lose the other's fraction.
        const batch = await Promise.all(Array.from({ length: AT_ONCE }, () => call(accountId, 'mini-exact', { inputTokens: 7, outputTokens: 4 })));
        charged += batch.reduce((sum, credits) => sum + credits, 0);
      }
      expect(charged).toBe(3);
      expect(await expectNoReservationLeft(gateway.services, accountId)).toEqual({ balance: 97, reserved: 0, ledgerSum: 97, reservations: 0 });
      const balance = await gateway.services.credits.ledger.balance(accountId);
      // 3.45 credits used: 3 charged, 0.45 carried to the next request.
      expect(BigInt(balance.carry)).toBe((45n * UNITS_PER_CREDIT) / 100n);
      const usage = (await gateway.services.storage.credits.listLedger(accountId, 2_000)).filter((e) => e.kind === 'usage');
      expect(usage.map((e) => e.amount)).toEqual([-1, -1, -1]);
    });

    it('stores an operator price of 0.5 credits per Mtok exactly and charges it exactly: three 1 M-token calls cost 1.5, charged 1 then carried', async () => {
      await setPrice(gateway.services, 'half-credit', { input: 0.5 });
      expect((await gateway.services.storage.prices.find('model', 'half-credit'))?.inputPerMtok).toBe(0.5);
      const accountId = await accountWithCredits(gateway, 10);
      const charges = [];
      for (let i = 0; i < 3; i++) charges.push(await call(accountId, 'half-credit', { inputTokens: 1_000_000, outputTokens: 0 }));
      expect(charges).toEqual([0, 1, 0]);
      expect(await expectNoReservationLeft(gateway.services, accountId)).toEqual({ balance: 9, reserved: 0, ledgerSum: 9, reservations: 0 });
      expect(BigInt((await gateway.services.credits.ledger.balance(accountId)).carry)).toBe(UNITS_PER_CREDIT / 2n);
    });

    it('still charges whole prices whole: a 10-credit request costs 10 and leaves the carry alone', async () => {
      await setPrice(gateway.services, 'flat-ten', { perRequest: 10 });
      const accountId = await accountWithCredits(gateway, 50);
      expect(await call(accountId, 'flat-ten', { inputTokens: 3, outputTokens: 3 })).toBe(10);
      expect(await expectNoReservationLeft(gateway.services, accountId)).toEqual({ balance: 40, reserved: 0, ledgerSum: 40, reservations: 0 });
      expect((await gateway.services.credits.ledger.balance(accountId)).carry).toBe(0);
    });
  });
}
