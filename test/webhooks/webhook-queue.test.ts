// The delivery queue kept in storage (SPEC §9): a restart between attempts loses nothing, and two
// nodes on one PostgreSQL send each message and each expiry warning once (leases claimed with SKIP LOCKED).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseTargets, releaseSchema, uniqueSchema } from '../support/databases.js';
import { createKey, newMasterKey, signUp, startTestGateway } from '../support/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { ALLOW_LOOPBACK, deliveries, manualClock, subscribe } from '../support/webhook-fixtures.js';

for (const target of databaseTargets()) {
  describe(`the webhook queue on ${target.name}`, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
    });

    async function receiver(): Promise<WebhookReceiver> {
      const started = await startWebhookReceiver();
      cleanups.push(() => started.close());
      return started;
    }

    it('loses nothing across a restart between attempts', async () => {
      const clock = manualClock();
      const shared = { schema: uniqueSchema(), masterKey: newMasterKey(), dataDir: mkdtempSync(join(tmpdir(), 'tollgate-test-')) };
      cleanups.push(async () => {
        if (target.databaseUrl) await releaseSchema(target.databaseUrl, shared.schema);
        rmSync(shared.dataDir, { recursive: true, force: true });
      });
      const hooks = await receiver();
      const first = await startTestGateway({ target, shared, clock: clock.now, env: ALLOW_LOOPBACK });
      const user = await signUp(first.app);
      const webhook = await subscribe(first, user, hooks.url);
      hooks.answers.push(502);
      await createKey(first.app, user);
      await first.services.webhooks.worker.tick();
      expect(hooks.received).toHaveLength(1);
      await first.close();

      clock.advance(5_000);
      const second = await startTestGateway({ target, shared, clock: clock.now, env: ALLOW_LOOPBACK });
      cleanups.push(() => second.close());
      await second.services.webhooks.worker.tick();
      expect(hooks.received).toHaveLength(2);
      const [a, b] = hooks.verified(webhook.secret);
      expect(b!.webhookId).toBe(a!.webhookId);
      expect((await deliveries(second, user, webhook.id))[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
    });

    // Several nodes share PostgreSQL; SQLite serves one node (one writer), so this runs on PostgreSQL.
    it.skipIf(target.name === 'sqlite')('with two nodes on one PostgreSQL, sends each message once', async () => {
      const clock = manualClock();
      const shared = { schema: uniqueSchema(), masterKey: newMasterKey(), dataDir: mkdtempSync(join(tmpdir(), 'tollgate-test-')) };
      cleanups.push(async () => {
        if (target.databaseUrl) await releaseSchema(target.databaseUrl, shared.schema);
        rmSync(shared.dataDir, { recursive: true, force: true });
      });
      const hooks = await receiver();
      const one = await startTestGateway({ target, shared, clock: clock.now, env: ALLOW_LOOPBACK });
      cleanups.push(() => one.close());
      const two = await startTestGateway({ target, shared, clock: clock.now, env: ALLOW_LOOPBACK });
      cleanups.push(() => two.close());
      const user = await signUp(one.app);
      const webhook = await subscribe(one, user, hooks.url, ['key.created', 'key.expiring']);
      const created = 30;
      for (let i = 0; i < created; i++) await createKey(i % 2 === 0 ? one.app : two.app, user, { name: `k${i}` });
      // One more key, expiring within 7 days: both nodes' schedulers will find it; one warning goes out.
      await createKey(one.app, user, { name: 'expiring', expires_at: new Date(Date.now() + 3 * 24 * 3_600_000).toISOString() });
      const messages = created + 2;
      const bothTick = async () => {
        for (let round = 0; round < 5; round++) {
          await Promise.all([one.services.webhooks.worker.tick(), two.services.webhooks.worker.tick(), one.services.webhooks.worker.tick(), two.services.webhooks.worker.tick()]);
        }
      };
      await bothTick();
      // Every message is delivered before the clock moves: a jump past a lease (120 s) while an
      // attempt is in flight would let the other node take the message again (at least once).
      // (Each node scans for expiring keys on its first tick, so the warning may already be among them.)
      const firstPhase = await deliveries(two, user, webhook.id);
      expect(firstPhase.length).toBeGreaterThanOrEqual(created + 1);
      expect(firstPhase.every((d) => d.status === 'succeeded')).toBe(true);
      clock.advance(61_000); // past each node's expiry scan interval
      await bothTick();

      const verified = hooks.verified(webhook.secret);
      expect(verified.filter((v) => v.event.type === 'key.expiring')).toHaveLength(1);
      const ids = verified.map((v) => v.webhookId);
      expect(ids).toHaveLength(messages);
      expect(new Set(ids).size).toBe(messages);
      const listed = await deliveries(two, user, webhook.id);
      expect(listed.every((d) => d.status === 'succeeded' && d.attempt === 1)).toBe(true);
    });
  });
}

