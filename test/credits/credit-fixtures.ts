// Shared set-up for credit tests: an account with credits and a price, and admissions against it.
import { randomBytes } from 'node:crypto';
import { BudgetClaims, type BudgetRefusal } from '../../src/credits/budget-claims.js';
import { CreditLedger } from '../../src/credits/credit-ledger.js';
import type { AdmissionDecision, AdmissionRequest } from '../../src/limits/admission.js';
import type { Services } from '../../src/services.js';
import type { Storage } from '../../src/storage/storage.js';
import { signUp, type TestGateway } from '../support/harness.js';

export async function accountWithCredits(gateway: TestGateway, credits: number): Promise<string> {
  const user = await signUp(gateway.app);
  const accountId = (await gateway.services.storage.accounts.findPersonal(user.userId))!.id;
  if (credits > 0) await gateway.services.credits.ledger.grant({ accountId, amount: credits, reason: 'test', actorId: null, requestId: null });
  return accountId;
}

/** An account with credits, a budget on its key `key_<account id>` and one on itself, both in total. */
export async function accountWithBudgets(gateway: TestGateway, credits: number, keyLimit: number, accountLimit: number): Promise<{ accountId: string; keyId: string }> {
  const accountId = await accountWithCredits(gateway, credits);
  const keyId = `key_${accountId}`;
  const at = new Date().toISOString();
  const { budgets } = gateway.services.storage;
  await budgets.upsert({ scope: 'key', ownerId: keyId, accountId, creditLimit: keyLimit, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
  await budgets.upsert({ scope: 'account', ownerId: accountId, accountId, creditLimit: accountLimit, period: 'total', timeZone: 'UTC', createdAt: at, updatedAt: at });
  return { accountId, keyId };
}

/** The storage ledger with budgets held and settled as admission does, announcing nothing. */
export function budgetedLedger(storage: Storage): { ledger: CreditLedger<BudgetRefusal>; claims: BudgetClaims } {
  const claims = new BudgetClaims({ clock: () => new Date(), budgetsFor: (keyId, accountId) => storage.budgets.forRequest(keyId, accountId), onThreshold: () => {}, onError: () => {} });
  return { ledger: new CreditLedger(storage, { settleAlso: claims.settle, reserveAlso: (keyId, accountId) => claims.forRequest(keyId, accountId) }), claims };
}

/** An operator price straight into storage; every node's price book reads it on first use. */
export async function setPrice(services: Services, model: string, price: { input?: number; output?: number; perRequest?: number; maxOutputTokens?: number }): Promise<void> {
  const at = new Date().toISOString();
  await services.storage.prices.upsert({
    targetKind: 'model',
    target: model,
    inputPerMtok: price.input ?? 0,
    outputPerMtok: price.output ?? 0,
    perRequest: price.perRequest ?? 0,
    maxOutputTokens: price.maxOutputTokens ?? null,
    createdAt: at,
    updatedAt: at,
  });
  services.credits.prices.invalidate();
}

/**
 * A model call priced by name: an alias `name` over one target (server-wide by default). An
 * account-owned target without a price is free whatever the unpriced policy (price-lookup.ts).
 */
export function modelCall(name: string, owner: 'server' | 'account' = 'server'): AdmissionRequest['price'] {
  return { kind: 'model', call: { name, via: 'alias', targets: [{ provider: 'upstream', owner, model: name }] } };
}

export function admissionFor(accountId: string, overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    accountId,
    keyId: 'key_test',
    keyLimits: null,
    price: modelCall('priced-model'),
    estimatedInputTokens: 0,
    maxOutputTokens: 0,
    requestId: `req_${randomBytes(8).toString('hex')}`,
    ...overrides,
  };
}

export function errorCode(decision: AdmissionDecision): string | null {
  return decision.ok ? null : decision.error.code;
}

/**
 * The account's money as storage holds it once the engine's pending settlements are written: the
 * balance and the ledger sum read in one transaction (a group commit writes both at once, so two
 * separate reads could straddle one), the amount held as the engine sees it.
 */
export async function expectNoReservationLeft(services: Services, accountId: string): Promise<{ balance: number; reserved: number; ledgerSum: number; reservations: number }> {
  await services.credits.groupCommit?.flush();
  const { reserved } = await services.credits.ledger.balance(accountId);
  const stored = await services.storage.transaction(async (tx) => ({
    balance: (await tx.credits.findBalance(accountId))?.balance ?? 0,
    ledgerSum: await tx.credits.ledgerSum(accountId),
    reservations: (await tx.credits.listReservations(accountId)).length,
  }));
  return { ...stored, reserved };
}
