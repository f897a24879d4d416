// Budgets on the data plane (SPEC §8), with the gateway's clock injected: a key's day budget in
// Europe/Berlin, on the 23-hour day of 2026-03-29, refuses the call that would spend past it with
// 402 budget_exceeded in OpenAI's error shape (scope and resets_at beside code), and the budget is
// whole again once the clock passes resets_at — no job, the new day is a new period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

const BERLIN_MIDNIGHT = '2026-03-29T22:00:00.000Z'; // 00:00 CEST on 2026-03-30

for (const target of databaseTargets()) {
  describe(`a key's day budget through the gateway (${target.name})`, () => {
    let f: GatewayFixture;
    let now = new Date('2026-03-29T20:00:00.000Z'); // 22:00 in Berlin
    beforeAll(async () => {
      f = await startGatewayFixture({
        target,
        clock: () => now,
        config: { prices: [{ model: 'chat-default', input_per_mtok: 0, output_per_mtok: 0, per_request: 10 }] },
        keyBody: { budget: { limit: 20, period: 'day', time_zone: 'Europe/Berlin' } },
      });
      const accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      await f.gw.services.credits.ledger.grant({ accountId, amount: 1_000, reason: 'test', actorId: null, requestId: null });
      await f.listen();
    });
    afterAll(() => f?.close());

    const chat = () =>
      fetch(`${f.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat-default', messages: [{ role: 'user', content: 'hi' }] }),
      });
    const budget = async () => (await f.gw.app.inject({ url: `/api/v1/auth/keys/${f.keyId}`, headers: f.user.auth })).json().budget;

    it('refuses the third call of 10 credits against a budget of 20 with 402 budget_exceeded, scope key and the reset time', async () => {
      expect((await chat()).status).toBe(200);
      expect((await chat()).status).toBe(200);
      const refused = await chat();
      expect(refused.status).toBe(402);
      const body = (await refused.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ code: 'budget_exceeded', type: 'insufficient_quota', scope: 'key', resets_at: BERLIN_MIDNIGHT });
      expect(await budget()).toEqual({ limit: 20, period: 'day', time_zone: 'Europe/Berlin', spent: 20, remaining: 0, resets_at: BERLIN_MIDNIGHT });
    });

    it('is available again once the clock passes resets_at', async () => {
      now = new Date(Date.parse(BERLIN_MIDNIGHT) - 1);
      expect((await chat()).status).toBe(402);
      now = new Date(BERLIN_MIDNIGHT);
      expect((await chat()).status).toBe(200);
      expect(await budget()).toEqual({ limit: 20, period: 'day', time_zone: 'Europe/Berlin', spent: 10, remaining: 10, resets_at: '2026-03-30T22:00:00.000Z' });
    });
  });
}
