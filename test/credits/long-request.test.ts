// A request that outlives the one-hour reservation sweep (issue 9 item 13): while it runs it keeps
// its credit reservation and its concurrency slot, so it is charged when it ends; and a settlement
// that finds its reservation already swept (a node that stalled) still charges the ledger.
// The clock is faked (Date and the renewal timers); storage is real, and so are the stored
// reservations the sweep looks at (the storage ledger, on SQLite too).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CreditLedger } from '../../src/credits/credit-ledger.js';
import { CreditAdmission } from '../../src/limits/credit-admission.js';
import { MemoryLimiterStore } from '../../src/limits/memory-limiter-store.js';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { accountWithCredits, admissionFor, errorCode, setPrice } from './credit-fixtures.js';

const MINUTE = 60_000;

/** Lets pending storage round trips (renewals) complete, on a real timer. */
const settleIo = () => new Promise((resolve) => setTimeout(resolve, 25));

for (const target of databaseTargets()) {
  describe(`requests longer than the reservation sweep on ${target.name}`, () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      // The sweep releases reservations stored by a node that died: storage-ledger reservations (the
      // in-memory engine of one SQLite node holds its own in memory, where they die with it).
      gateway = await startTestGateway({ target, storageCredits: true });
      await setPrice(gateway.services, 'priced-model', { perRequest: 10 });
    });
    afterAll(async () => {
      await gateway?.close();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('keeps the reservation and the concurrency slot of a two-hour stream, and charges it at the end', async () => {
      const { services } = gateway;
      const accountId = await accountWithCredits(gateway, 100);
      await services.credits.limits.update(accountId, { concurrency: 1 });
      vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
      const leaseMs = 2 * MINUTE;
      const admission = new CreditAdmission({
        store: new MemoryLimiterStore({ leaseMs, now: () => Date.now() }),
        accountLimits: services.credits.limits,
        prices: services.credits.prices,
        ledger: services.credits.ledger,
        logger: services.logger,
        windowMs: MINUTE,
        leaseMs,
      });
      const first = await admission.admit(admissionFor(accountId));
      if (!first.ok) throw new Error(`expected admission, got ${first.error.code}`);

      for (let elapsed = 0; elapsed < 2 * 60 * MINUTE; elapsed += 5 * MINUTE) {
        vi.advanceTimersByTime(5 * MINUTE);
        await settleIo();
        await services.credits.ledger.sweepExpired();
      }
      expect(await services.storage.credits.listReservations(accountId)).toHaveLength(1);
      expect(errorCode(await admission.admit(admissionFor(accountId)))).toBe('rate_limited');

      expect(await first.ticket.settle(null, 'ok')).toMatchObject({ credits: 10 });
      expect(await services.credits.ledger.balance(accountId)).toMatchObject({ balance: 90, reserved: 0 });
      expect(await services.storage.credits.ledgerSum(accountId)).toBe(90);
    });

    it('charges a settlement whose reservation was already swept, exactly once', async () => {
      const { services } = gateway;
      const accountId = await accountWithCredits(gateway, 100);
      const stalled = new CreditLedger(services.storage, { reservationTtlMs: -1 });
      const held = await stalled.reserve(accountId, 30, 'req_stalled');
      if (!held.ok) throw new Error('expected a reservation');
      expect(await services.credits.ledger.sweepExpired()).toBeGreaterThanOrEqual(1);
      expect(await services.credits.ledger.balance(accountId)).toMatchObject({ balance: 100, reserved: 0 });

      expect(await services.credits.ledger.settle(held.reservation, 12)).toEqual({ charged: 12, balance: 88 });
      expect(await services.credits.ledger.settle(held.reservation, 12)).toBeNull();
      expect(await services.credits.ledger.balance(accountId)).toMatchObject({ balance: 88, reserved: 0 });
      expect((await services.storage.credits.listLedger(accountId, 1))[0]).toMatchObject({ id: held.reservation.id, amount: -12, kind: 'usage' });
    });
  });
}
