// credits.low and model.unpriced (SPEC §8, §9) through the real data plane in front of a mock
// upstream: credits.low fires when a charge takes the balance below an endpoint's threshold — once
// per crossing, again after a grant lifts it back above — and model.unpriced once per model per hour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';
import { rememberSecret } from '../support/log-capture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const PER_REQUEST = 300;

for (const target of databaseTargets()) {
  describe(`credit events on ${target.name}`, () => {
    let fx: GatewayFixture;
    let hooks: WebhookReceiver;
    let secret: string;
    let webhookId: string;
    let accountId: string;
    beforeAll(async () => {
      fx = await startGatewayFixture({
        target,
        env: { TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
        config: { prices: [{ model: 'chat-default', input_per_mtok: 0, output_per_mtok: 0, per_request: PER_REQUEST }] },
      });
      hooks = await startWebhookReceiver();
      accountId = (await fx.gw.services.storage.accounts.findPersonal(fx.user.userId))!.id;
      const response = await fx.gw.app.inject({ method: 'POST', url: '/admin/webhooks', headers: fx.user.auth, payload: { url: hooks.url, events: ['credits.low', 'model.unpriced'], threshold: 500 } });
      expect(response.statusCode, response.body).toBe(201);
      secret = response.json().secret;
      webhookId = response.json().id;
      rememberSecret(secret);
    });
    afterAll(async () => {
      await hooks?.close();
      await fx?.close();
    });

    async function call(model: string): Promise<number> {
      const response = await fx.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${fx.key}` }, payload: { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 } });
      await fx.gw.services.gateway.usage.flush();
      return response.statusCode;
    }

    async function events(type: string) {
      await fx.gw.services.webhooks.worker.tick();
      return hooks.verified(secret).map((v) => v.event).filter((e) => e.type === type);
    }

    async function grant(amount: number): Promise<void> {
      await fx.gw.services.credits.ledger.grant({ accountId, amount, reason: 'test', actorId: null, requestId: null });
    }

    it('sends credits.low when a charge crosses the threshold, not on every request below it, and again after a top-up', async () => {
      await grant(1_000);
      expect(await call('chat-default')).toBe(200); // 1000 → 700
      expect(await events('credits.low')).toEqual([]);
      expect(await call('chat-default')).toBe(200); // 700 → 400: crossed
      expect(await waitFor(async () => (await events('credits.low')).length === 1)).toBe(true);
      expect(await call('chat-default')).toBe(200); // 400 → 100: still below
      await grant(900); // 100 → 1000: re-armed
      expect(await call('chat-default')).toBe(200); // → 700
      expect(await call('chat-default')).toBe(200); // → 400: crossed again
      await waitFor(async () => (await events('credits.low')).length === 2);
      const low = await events('credits.low');
      expect(low.map((e) => e.data)).toEqual([
        { balance: 400, previous_balance: 700, threshold: 500 },
        { balance: 400, previous_balance: 700, threshold: 500 },
      ]);
      expect(low[0]).toMatchObject({ account_id: accountId, id: expect.stringMatching(/^evt_/) });
    });

    it('sends credits.low when an operator debit crosses the threshold, and not for a grant', async () => {
      const before = (await events('credits.low')).length;
      const { balance } = await fx.gw.services.credits.ledger.balance(accountId);
      await grant(1_000 - balance); // → 1000: above the threshold, nothing sent
      expect(await events('credits.low')).toHaveLength(before);
      await grant(-600); // 1000 → 400: crossed
      expect(await waitFor(async () => (await events('credits.low')).length === before + 1)).toBe(true);
      expect((await events('credits.low')).at(-1)!.data).toEqual({ balance: 400, previous_balance: 1000, threshold: 500 });
    });

    it('hears a threshold changed after the balance was last charged: the next crossing uses the new one', async () => {
      const before = (await events('credits.low')).length;
      const { balance } = await fx.gw.services.credits.ledger.balance(accountId);
      await grant(900 - balance);
      expect(await call('chat-default')).toBe(200); // 900 → 600: above 500, and the thresholds are read
      const patched = await fx.gw.app.inject({ method: 'PATCH', url: `/admin/webhooks/${webhookId}`, headers: fx.user.auth, payload: { threshold: 400 } });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(await call('chat-default')).toBe(200); // 600 → 300: crosses 400 (and 500, which no endpoint watches any more)
      expect(await waitFor(async () => (await events('credits.low')).length === before + 1)).toBe(true);
      expect((await events('credits.low')).at(-1)!.data).toEqual({ balance: 300, previous_balance: 600, threshold: 400 });
      const restored = await fx.gw.app.inject({ method: 'PATCH', url: `/admin/webhooks/${webhookId}`, headers: fx.user.auth, payload: { threshold: 500 } });
      expect(restored.statusCode, restored.body).toBe(200);
    });

    it('sends model.unpriced once per model per hour for the calling account', async () => {
      // A price exists, so an unpriced model is blocked by default (SPEC §8).
      expect(await call('mock/gpt-4.1-mini')).toBe(402);
      expect(await call('mock/gpt-4.1-mini')).toBe(402);
      await waitFor(async () => (await events('model.unpriced')).length > 0);
      const unpriced = await events('model.unpriced');
      expect(unpriced.map((e) => [e.account_id, e.data])).toEqual([[accountId, { model: 'mock/gpt-4.1-mini', policy: 'block' }]]);
    });
  });
}
