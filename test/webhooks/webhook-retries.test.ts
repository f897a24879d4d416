// Webhook retries (SPEC §9) through a real receiver on loopback: Standard Webhooks signatures
// checked with the standardwebhooks package, retries on the schedule driven by an injected clock
// (no sleeps), the same webhook-id on every attempt, a manual retry, and giving up after 24 h+.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { ALLOW_LOOPBACK, deliveries, manualClock, subscribe } from '../support/webhook-fixtures.js';

for (const target of databaseTargets()) {
  describe(`webhook retries on ${target.name}`, () => {
    const clock = manualClock();
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target, clock: clock.now, env: ALLOW_LOOPBACK });
    });
    afterAll(() => gw?.close());
    const cleanups: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
    });

    async function receiver(): Promise<WebhookReceiver> {
      const started = await startWebhookReceiver();
      cleanups.push(() => started.close());
      return started;
    }

    it('retries a failing receiver on schedule with the same webhook-id until it answers 2xx, each attempt signed', async () => {
      const hooks = await receiver();
      const user = await signUp(gw.app);
      const webhook = await subscribe(gw, user, hooks.url);
      hooks.answers.push(500, 503);

      const key = await createKey(gw.app, user, { name: 'watched' });
      const { worker } = gw.services.webhooks;
      await worker.tick();
      expect(hooks.received).toHaveLength(1);
      let [delivery] = await deliveries(gw, user, webhook.id);
      expect(delivery).toMatchObject({ event_type: 'key.created', attempt: 1, status: 'pending', response_status: 500 });
      // The first retry is 5 s later (SPEC: within 60 s); nothing is sent before it is due.
      expect(Date.parse(delivery!.next_attempt_at!) - clock.now().getTime()).toBe(5_000);
      clock.advance(4_000);
      await worker.tick();
      expect(hooks.received).toHaveLength(1);

      clock.advance(1_000);
      await worker.tick();
      expect(hooks.received).toHaveLength(2);
      [delivery] = await deliveries(gw, user, webhook.id);
      expect(delivery).toMatchObject({ attempt: 2, status: 'pending', response_status: 503 });
      expect(Date.parse(delivery!.next_attempt_at!) - clock.now().getTime()).toBe(5 * 60_000);

      clock.advance(5 * 60_000);
      await worker.tick();
      await worker.tick();
      expect(hooks.received).toHaveLength(3);
      [delivery] = await deliveries(gw, user, webhook.id);
      expect(delivery).toMatchObject({ attempt: 3, status: 'succeeded', response_status: 200, next_attempt_at: null });

      const verified = hooks.verified(webhook.secret);
      expect(new Set(verified.map((v) => v.webhookId))).toEqual(new Set([delivery!.id]));
      for (const { event } of verified) {
        expect(event).toEqual({ id: delivery!.event_id, type: 'key.created', created_at: expect.any(String), account_id: expect.stringMatching(/^acc_/), data: expect.objectContaining({ key_id: key.id, name: 'watched', key_prefix: key.key_prefix }) });
      }
      expect(hooks.received[0]!.headers['content-type']).toBe('application/json');
      expect(() => hooks.verified('whsec_' + Buffer.alloc(32, 1).toString('base64'))).toThrow();

      // A manual retry sends the message once more, under the same webhook-id.
      const retried = await gw.app.inject({ method: 'POST', url: `/admin/webhooks/${webhook.id}/deliveries/${delivery!.id}/retry`, headers: user.auth });
      expect(retried.statusCode).toBe(202);
      expect(retried.json()).toMatchObject({ id: delivery!.id, status: 'pending' });
      await worker.tick();
      expect(hooks.received).toHaveLength(4);
      expect(hooks.received[3]!.headers['webhook-id']).toBe(delivery!.id);
    });

    it('gives up after the schedule (more than 24 h of retries) and marks the message failed', async () => {
      const hooks = await receiver();
      const user = await signUp(gw.app);
      const webhook = await subscribe(gw, user, hooks.url);
      hooks.answers.push(...Array.from({ length: 20 }, () => 500));
      await createKey(gw.app, user);
      const started = clock.now().getTime();
      for (let i = 0; i < 12; i++) {
        await gw.services.webhooks.worker.tick();
        const [delivery] = await deliveries(gw, user, webhook.id);
        if (delivery!.status !== 'pending') break;
        clock.advance(Date.parse(delivery!.next_attempt_at!) - clock.now().getTime());
      }
      const [delivery] = await deliveries(gw, user, webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempt: 8, next_attempt_at: null });
      expect(hooks.received).toHaveLength(8);
      expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(24 * 3_600_000);
    });
  });
}
