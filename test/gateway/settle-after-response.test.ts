// SPEC §4: "The response is never held back by settlement or usage writes." A non-streamed call
// whose settlement storage is paused still gets its answer; the charge and the usage record land
// once settlement can proceed. Through a real socket, on every database target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreditEngine } from '../../src/credits/credit-engine.js';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';

/** Holds every ledger settlement until `release()`; counts the settlements that reached it. */
function pauseSettlements(ledger: CreditEngine): { reached: () => number; release: () => void } {
  const settle = ledger.settle.bind(ledger);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached = 0;
  ledger.settle = async function pausedSettle(...args: Parameters<CreditEngine['settle']>) {
    reached += 1;
    await gate;
    return settle(...args);
  };
  return { reached: () => reached, release };
}

for (const target of databaseTargets()) {
  describe(`settlement after the response (${target.name})`, () => {
    let f: GatewayFixture;
    let accountId: string;
    beforeAll(async () => {
      // One credit per token either way: the mock answers 7 tokens in, 5 out.
      f = await startGatewayFixture({ target, config: { prices: [{ model: 'chat-default', input_per_mtok: 1_000_000, output_per_mtok: 1_000_000, per_request: 0, max_output_tokens: 20 }] } });
      accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      await f.gw.services.credits.ledger.grant({ accountId, amount: 100, reason: 'test', actorId: null, requestId: null });
      await f.listen();
    });
    afterAll(async () => {
      await f?.close();
    });

    it('answers a non-streamed call while its settlement is paused, and charges it once released', async () => {
      const ledger = f.gw.services.credits.ledger;
      const paused = pauseSettlements(ledger);
      const response = await fetch(`${f.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat-default', messages: [{ role: 'user', content: 'Say hello to the gateway.' }] }),
        signal: AbortSignal.timeout(5_000),
      }).catch((error: unknown) => error as Error);
      if (response instanceof Error) {
        paused.release();
        throw new Error(`no response while settlement was paused: ${response.message}`);
      }
      expect(response.status).toBe(200);
      const requestId = response.headers.get('x-request-id')!;
      expect(((await response.json()) as { choices: unknown[] }).choices.length).toBeGreaterThan(0);

      // The answer arrived while its credits were still only reserved; released, they settle to the usage.
      expect(await waitFor(() => paused.reached() === 1)).toBe(true);
      const held = await ledger.balance(accountId);
      expect(held.balance).toBe(100);
      expect(held.reserved).toBeGreaterThan(0);
      paused.release();
      expect(await waitFor(async () => (await ledger.balance(accountId)).balance === 88)).toBe(true);
      expect((await ledger.balance(accountId)).reserved).toBe(0);
      await f.gw.services.gateway.usage.flush();
      const [record] = await f.gw.services.storage.usage.findByRequestId(requestId);
      expect(record).toMatchObject({ accountId, status: 200, outcome: 'ok', inputTokens: 7, outputTokens: 5, credits: 12 });
    });
  });
}
