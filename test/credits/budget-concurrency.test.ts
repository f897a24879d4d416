// SPEC §6/§8: "N concurrent requests never spend more than … a budget". 200 priced requests race
// for a key budget, then an account budget, that covers exactly 37 of them, with credits to spare:
// exactly 37 are admitted and charged, the rest get 402 budget_exceeded naming the budget's scope,
// and the budget reads back spent = 37 × price — on SQLite and on PostgreSQL. Crossing 80, 90 and
// 100% is announced once each.
//
// Like concurrent-spend.test.ts, these drive services.admission (what the data plane calls once per
// request, then settles) directly, admissions and settlements interleaved as the gateway would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { databaseTargets } from '../support/databases.js';
import { capturedLogs } from '../support/log-capture.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { admissionFor, expectNoReservationLeft, setPrice } from './credit-fixtures.js';

const REQUESTS = 200;
const COST = 10;
const COVERED = 37;

type Outcome = 'ok' | `${string}:${string}`;

async function oneRequest(services: Services, accountId: string, keyId: string): Promise<Outcome> {
  const decision = await services.admission.admit(admissionFor(accountId, { keyId, estimatedInputTokens: 12, maxOutputTokens: 30 }));
  if (!decision.ok) return `${decision.error.code}:${decision.error.details[0]!.scope ?? '-'}`;
  await new Promise((resolve) => setImmediate(resolve));
  expect((await decision.ticket.settle({ inputTokens: 12, outputTokens: 20 }, 'ok')).credits).toBe(COST);
  return 'ok';
}

async function race(services: Services, accountId: string, keyId: string): Promise<Record<string, number>> {
  const outcomes = await Promise.all(Array.from({ length: REQUESTS }, () => oneRequest(services, accountId, keyId)));
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

function thresholdLogs(accountId: string): Array<{ scope: string; percent: number }> {
  return capturedLogs
    .filter((line) => line.includes('budget threshold crossed') && line.includes(accountId))
    .map((line) => JSON.parse(line).budget as { scope: string; percent: number });
}

for (const target of databaseTargets()) {
  describe(`budgets under 200 concurrent requests on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
      await setPrice(gw.services, 'priced-model', { perRequest: COST });
    });
    afterAll(() => gw?.close());

    async function personalAccount(user: SignedIn): Promise<string> {
      const accountId = (await gw.services.storage.accounts.findPersonal(user.userId))!.id;
      await gw.services.credits.ledger.grant({ accountId, amount: 100_000, reason: 'test', actorId: null, requestId: null });
      return accountId;
    }

    it('lets exactly 37 through a key budget covering 37, refuses the rest with scope key, and reads back spent = 37 × price', async () => {
      const user = await signUp(gw.app);
      const accountId = await personalAccount(user);
      const key = await createKey(gw.app, user, { budget: { limit: COVERED * COST + COST - 1, period: 'day' } });
      expect(await race(gw.services, accountId, key.id)).toEqual({ ok: COVERED, 'budget_exceeded:key': REQUESTS - COVERED });

      const read = (await gw.app.inject({ url: `/api/v1/auth/keys/${key.id}`, headers: user.auth })).json();
      expect(read.budget).toMatchObject({ limit: COVERED * COST + COST - 1, period: 'day', time_zone: 'UTC', spent: COVERED * COST, remaining: COST - 1 });
      expect(await expectNoReservationLeft(gw.services, accountId)).toEqual({ balance: 100_000 - COVERED * COST, reserved: 0, ledgerSum: 100_000 - COVERED * COST, reservations: 0 });
      // 370 of 379 is 97.6 %: 80 and 90 were announced once each, 100 not at all.
      expect(thresholdLogs(accountId).map((t) => [t.scope, t.percent])).toEqual([['key', 80], ['key', 90]]);
    });

    it('lets exactly 37 through an account budget covering 37 across two keys, refuses the rest with scope account', async () => {
      const user = await signUp(gw.app);
      const accountId = await personalAccount(user);
      const put = await gw.app.inject({ method: 'PUT', url: `/api/v1/accounts/${accountId}/budget`, headers: user.auth, payload: { limit: COVERED * COST, period: 'month', time_zone: 'Europe/Berlin' } });
      expect(put.statusCode).toBe(200);
      const [a, b] = [await createKey(gw.app, user), await createKey(gw.app, user)];
      const outcomes = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => oneRequest(gw.services, accountId, i % 2 ? a.id : b.id)));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(COVERED);
      expect(outcomes.filter((o) => o === 'budget_exceeded:account')).toHaveLength(REQUESTS - COVERED);

      const read = (await gw.app.inject({ url: `/api/v1/accounts/${accountId}`, headers: user.auth })).json();
      expect(read.budget).toMatchObject({ limit: COVERED * COST, period: 'month', time_zone: 'Europe/Berlin', spent: COVERED * COST, remaining: 0 });
      expect((await expectNoReservationLeft(gw.services, accountId)).reserved).toBe(0);
      expect(thresholdLogs(accountId).map((t) => [t.scope, t.percent])).toEqual([['account', 80], ['account', 90], ['account', 100]]);
    });
  });

  // A dead node's reservation is a stored one: the storage ledger's (PostgreSQL, or SQLite with it).
  describe(`budgets and a dead node's stored reservation on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target, storageCredits: true });
      await setPrice(gw.services, 'priced-model', { perRequest: COST });
    });
    afterAll(() => gw?.close());

    async function personalAccount(user: SignedIn): Promise<string> {
      const accountId = (await gw.services.storage.accounts.findPersonal(user.userId))!.id;
      await gw.services.credits.ledger.grant({ accountId, amount: 100_000, reason: 'test', actorId: null, requestId: null });
      return accountId;
    }

    it("gives a budget back what a dead node's reservation held once the sweeper releases it", async () => {
      const user = await signUp(gw.app);
      const accountId = await personalAccount(user);
      const key = await createKey(gw.app, user, { budget: { limit: COST, period: 'total' } });
      const held = await gw.services.admission.admit(admissionFor(accountId, { keyId: key.id }));
      expect(held.ok).toBe(true);
      expect(await oneRequest(gw.services, accountId, key.id)).toBe('budget_exceeded:key');
      // The sweeper settles an expired reservation to 0 (CreditLedger.sweepExpired): do exactly that.
      const [reservation] = await gw.services.storage.credits.listReservations(accountId);
      expect(await gw.services.credits.ledger.settle(reservation!, 0)).toEqual({ charged: 0, balance: 100_000 });
      expect((await gw.app.inject({ url: `/api/v1/auth/keys/${key.id}`, headers: user.auth })).json().budget).toMatchObject({ spent: 0, remaining: COST, resets_at: null });
      expect(await oneRequest(gw.services, accountId, key.id)).toBe('ok');
      // The node comes back and ends its request without usage: nothing more is given back or charged.
      if (held.ok) expect(await held.ticket.settle(null, 'failed')).toMatchObject({ credits: 0 });
      expect((await gw.app.inject({ url: `/api/v1/auth/keys/${key.id}`, headers: user.auth })).json().budget).toMatchObject({ spent: COST, remaining: 0 });
    });
  });
}
