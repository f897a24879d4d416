// The admission engine the data plane calls once per request (src/limits/admission.ts): limits
// and credits decided together, as values, with headers on every answer; tickets settled once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreditLedger } from '../../src/credits/credit-ledger.js';
import { tokenCost } from '../../src/credits/pricing.js';
import { rateLimitHeaders } from '../../src/gateway/rate-limit-headers.js';
import { CreditAdmission } from '../../src/limits/credit-admission.js';
import { limitRules } from '../../src/limits/limit-rules.js';
import { MemoryLimiterStore } from '../../src/limits/memory-limiter-store.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { accountWithCredits, admissionFor, errorCode, expectNoReservationLeft, modelCall, setPrice } from '../credits/credit-fixtures.js';

describe('admission (rate limits, then credits)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
    await setPrice(gateway.services, 'priced-model', { input: 1_000_000, output: 2_000_000 }); // 1 credit per input token, 2 per output
  });
  afterAll(() => gateway?.close());
  const admission = () => gateway.services.admission;

  it('puts OpenAI and IETF rate-limit headers on an admitted request', async () => {
    const accountId = await accountWithCredits(gateway, 0);
    await gateway.services.credits.limits.update(accountId, { rpm: 10, tpm: 1_000 });
    const decision = await admission().admit(admissionFor(accountId, { price: modelCall('free-model', 'account'), estimatedInputTokens: 40, maxOutputTokens: 60 }));
    expect(decision.ok).toBe(true);
    const headers = rateLimitHeaders(decision.rateLimit);
    expect(headers).toMatchObject({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '9',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '900',
      'ratelimit-policy': '"account-requests";q=10;w=60, "account-tokens";q=1000;w=60;qu="tokens"',
    });
    expect(headers['x-ratelimit-reset-requests']).toMatch(/^(\d+m)?\d+(\.\d+)?s$/);
    if (decision.ok) expect(await decision.ticket.settle({ inputTokens: 40, outputTokens: 10 }, 'ok')).toMatchObject({ credits: 0 });
  });

  it('answers 429 with Retry-After once a limit is reached, and counts nothing for the refused request', async () => {
    const accountId = await accountWithCredits(gateway, 0);
    await gateway.services.credits.limits.update(accountId, { rpm: 2 });
    const free = { price: modelCall('free-model', 'account') };
    expect((await admission().admit(admissionFor(accountId, free))).ok).toBe(true);
    expect((await admission().admit(admissionFor(accountId, free))).ok).toBe(true);
    const refused = await admission().admit(admissionFor(accountId, free));
    expect(errorCode(refused)).toBe('rate_limited');
    if (refused.ok) return;
    expect(refused.error.status).toBe(429);
    expect(refused.rateLimit?.retryAfterMs).toBeGreaterThan(0);
    const headers = rateLimitHeaders(refused.rateLimit);
    expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.error.details[0]!.suggestion).toBe(`Retry after ${headers['retry-after']} s.`);
    expect(headers['x-ratelimit-remaining-requests']).toBe('0');
  });

  it('lets two keys of one account share its limits and balance, and holds a key to its own limit on top', async () => {
    const accountId = await accountWithCredits(gateway, 5 * 3); // five requests of 3 credits
    await gateway.services.credits.limits.update(accountId, { rpm: 4 });
    const results: string[] = [];
    for (let i = 0; i < 8; i++) {
      const keyId = i % 2 === 0 ? 'key_a' : 'key_b';
      const decision = await admission().admit(admissionFor(accountId, { keyId, keyLimits: keyId === 'key_b' ? { rpm: 1 } : null, estimatedInputTokens: 1, maxOutputTokens: 1 }));
      results.push(`${keyId}:${decision.ok ? 'ok' : errorCode(decision)}`);
      if (decision.ok) await decision.ticket.settle({ inputTokens: 1, outputTokens: 1 }, 'ok');
    }
    // key_b stops at its own 1 rpm; the account's 4 rpm stops key_a after 3 more.
    expect(results).toEqual(['key_a:ok', 'key_b:ok', 'key_a:ok', 'key_b:rate_limited', 'key_a:ok', 'key_b:rate_limited', 'key_a:rate_limited', 'key_b:rate_limited']);
    expect((await gateway.services.credits.ledger.balance(accountId)).balance).toBe(15 - 4 * 3); // one balance for both keys
  });

  it('answers 402 with a suggestion when the balance cannot cover the maximum cost, and gives back the slot it took', async () => {
    const accountId = await accountWithCredits(gateway, 10);
    await gateway.services.credits.limits.update(accountId, { concurrency: 1, tpm: 100 });
    const refused = await admission().admit(admissionFor(accountId, { estimatedInputTokens: 5, maxOutputTokens: 50 })); // up to 105 credits
    expect(errorCode(refused)).toBe('insufficient_credits');
    if (refused.ok) return;
    expect(refused.error.status).toBe(402);
    expect(refused.error.details[0]!.suggestion).toMatch(/add credits/i);
    expect(refused.error.message).toContain('105');
    // The refused request holds neither the single concurrency slot nor tokens.
    const next = await admission().admit(admissionFor(accountId, { estimatedInputTokens: 2, maxOutputTokens: 4 }));
    expect(next.ok).toBe(true);
    expect(rateLimitHeaders(next.rateLimit)['x-ratelimit-remaining-tokens']).toBe('94');
    if (next.ok) await next.ticket.settle({ inputTokens: 2, outputTokens: 4 }, 'ok');
  });

  it('charges an aborted stream for what was delivered and leaves no reservation behind', async () => {
    // The rule: a stream the client aborts half-way is charged for the input and for the output
    // tokens delivered before the abort (the gateway counts them); the rest of the hold is released.
    const accountId = await accountWithCredits(gateway, 1_000);
    const decision = await admission().admit(admissionFor(accountId, { estimatedInputTokens: 20, maxOutputTokens: 100 }));
    if (!decision.ok) throw new Error('expected admission');
    expect((await gateway.services.credits.ledger.balance(accountId)).reserved).toBe(20 + 200);
    const delivered = { inputTokens: 20, outputTokens: 37 };
    const settled = await decision.ticket.settle(delivered, 'aborted');
    const expected = tokenCost({ inputPerMtok: 1_000_000, outputPerMtok: 2_000_000, perRequest: 0, maxOutputTokens: null }, delivered);
    expect(settled.credits).toBe(expected); // 20 + 74 = 94
    expect(await decision.ticket.settle(delivered, 'aborted')).toEqual(settled); // once only
    expect(await expectNoReservationLeft(gateway.services, accountId)).toEqual({ balance: 1_000 - 94, reserved: 0, ledgerSum: 1_000 - 94, reservations: 0 });
    const entry = (await gateway.services.storage.credits.listLedger(accountId, 1))[0]!;
    expect(entry).toMatchObject({ kind: 'usage', amount: -94 });
  });

  it('releases the whole reservation of a failed request that delivered nothing', async () => {
    const accountId = await accountWithCredits(gateway, 500);
    const decision = await admission().admit(admissionFor(accountId, { estimatedInputTokens: 10, maxOutputTokens: 10 }));
    if (!decision.ok) throw new Error('expected admission');
    expect(await decision.ticket.settle(null, 'failed')).toMatchObject({ credits: 0 });
    expect(await expectNoReservationLeft(gateway.services, accountId)).toEqual({ balance: 500, reserved: 0, ledgerSum: 500, reservations: 0 });
  });

  it('reserves the price cap when the client sets no max_tokens and tells the gateway that cap', async () => {
    const accountId = await accountWithCredits(gateway, 100_000);
    const decision = await admission().admit(admissionFor(accountId, { estimatedInputTokens: 10, maxOutputTokens: null }));
    if (!decision.ok) throw new Error('expected admission');
    expect(decision.maxOutputTokens).toBe(4096);
    expect((await gateway.services.credits.ledger.balance(accountId)).reserved).toBe(10 + 2 * 4096);
    await decision.ticket.settle({ inputTokens: 10, outputTokens: 5 }, 'ok');
  });

  it("lets an account's own unpriced upstream through for free: metered, no reservation, no ledger entry", async () => {
    // (A server-wide unpriced target follows the unpriced policy instead: test/credits/unpriced-policy.test.ts.)
    const accountId = await accountWithCredits(gateway, 0);
    const decision = await admission().admit(admissionFor(accountId, { price: modelCall('no-price-here', 'account'), estimatedInputTokens: 1_000, maxOutputTokens: 1_000 }));
    if (!decision.ok) throw new Error('expected admission');
    expect(await decision.ticket.settle({ inputTokens: 1_000, outputTokens: 1_000 }, 'ok')).toMatchObject({ credits: 0 });
    expect(await gateway.services.storage.credits.listLedger(accountId, 10)).toEqual([]);
  });

  it('charges a route its per-request cost', async () => {
    const accountId = await accountWithCredits(gateway, 5);
    const route = { price: { kind: 'route' as const, routeId: 'rte_positions', cost: 2 } };
    for (const expected of [true, true, false]) {
      const decision = await admission().admit(admissionFor(accountId, route));
      expect(decision.ok).toBe(expected);
      if (decision.ok) expect(await decision.ticket.settle({ inputTokens: 0, outputTokens: 0 }, 'ok')).toMatchObject({ credits: 2 });
    }
  });
});

describe('admission when the database is unreachable', () => {
  it('answers 503 unavailable', async () => {
    const gateway = await startTestGateway();
    try {
      const accountId = await accountWithCredits(gateway, 100);
      await setPrice(gateway.services, 'priced-model', { perRequest: 1 });
      await gateway.services.database.close();
      gateway.services.credits.prices.invalidate();
      await expect(gateway.services.admission.admit(admissionFor(accountId))).rejects.toMatchObject({ status: 503, code: 'unavailable' });
    } finally {
      await gateway.close().catch(() => undefined);
    }
  });

  it('gives back the slots and tokens a request claimed before the credit step failed', async () => {
    const gateway = await startTestGateway();
    try {
      const accountId = await accountWithCredits(gateway, 100);
      await setPrice(gateway.services, 'priced-model', { perRequest: 1 });
      const store = new MemoryLimiterStore({ windowMs: 60_000 });
      const failingLedger = Object.create(gateway.services.credits.ledger, {
        reserve: { value: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) },
      }) as CreditLedger;
      const engine = new CreditAdmission({
        store,
        accountLimits: gateway.services.credits.limits,
        prices: gateway.services.credits.prices,
        ledger: failingLedger,
        logger: gateway.services.logger,
        windowMs: 60_000,
        leaseMs: 60_000,
      });
      await gateway.services.credits.limits.update(accountId, { concurrency: 1, tpm: 100 });
      await expect(engine.admit(admissionFor(accountId, { estimatedInputTokens: 30, maxOutputTokens: 30 }))).rejects.toMatchObject({ status: 503 });
      const rules = limitRules({ accountId, keyId: 'key_test', accountLimits: { rpm: null, tpm: 100, concurrency: 1 }, keyLimits: null, tokens: 100 });
      const again = await store.claim({ rules, leaseId: 'probe' });
      expect(again.decision.kind).toBe('allowed'); // the slot is free and all 100 tokens are available
    } finally {
      await gateway.close();
    }
  });
});
