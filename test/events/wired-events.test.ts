// The events other rooms raise, on an account's webhooks: key.leaked (with the report's url and
// source) and key.revoked when GitHub reports a key, and budget.threshold when a key's spend
// crosses 80% of its budget — through the real routes and the real delivery worker.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { fixtureConfig, writeConfigFile } from '../support/gateway-fixture.js';
import { githubSigner, leak, REPORT_URL, secretScanningConfig } from '../support/github-reports.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const PER_REQUEST = 4;

for (const target of databaseTargets()) {
  describe(`events from leaks and budgets on ${target.name}`, () => {
    const github = githubSigner('github-key-events');
    let gw: TestGateway;
    let mock: MockOpenAI;
    let file: { path: string; remove(): void };
    let hooks: WebhookReceiver;
    let user: SignedIn;
    let accountId: string;

    beforeAll(async () => {
      mock = await startMockOpenAI();
      const prices = [{ model: 'chat-default', input_per_mtok: 0, output_per_mtok: 0, per_request: PER_REQUEST }];
      file = writeConfigFile({ ...fixtureConfig(mock, { prices }), ...secretScanningConfig(github) });
      gw = await startTestGateway({ target, env: { TOLLGATE_CONFIG: file.path, TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'true' } });
    });
    afterAll(async () => {
      await gw?.close();
      await mock?.close();
      file?.remove();
    });
    beforeEach(async () => {
      hooks = await startWebhookReceiver();
      user = await signUp(gw.app);
      accountId = (await gw.services.storage.accounts.findPersonal(user.userId))!.id;
    });
    afterEach(() => hooks.close());

    async function subscribe(events: string[]): Promise<string> {
      const response = await gw.app.inject({ method: 'POST', url: `/api/v1/accounts/${accountId}/webhooks`, headers: user.auth, payload: { url: hooks.url, events } });
      expect(response.statusCode, response.body).toBe(201);
      rememberSecret(response.json().secret);
      return response.json().secret;
    }

    async function received(secret: string) {
      await gw.services.webhooks.worker.tick();
      return hooks.verified(secret).map((v) => v.event);
    }

    it("tells the key's owner key.leaked with the report's url and source, and key.revoked", async () => {
      const secret = await subscribe(['key.leaked', 'key.revoked']);
      const { key, id, key_prefix } = await createKey(gw.app, user);
      const report = [leak(key, 'https://github.com/octocat/app/blob/abc123/.env')];
      const { body, headers } = github.signed(report);
      expect((await gw.app.inject({ method: 'POST', url: REPORT_URL, headers, payload: body })).json()).toEqual([expect.objectContaining({ label: 'true_positive' })]);

      const events = await received(secret);
      expect(events.map((e) => e.type).sort()).toEqual(['key.leaked', 'key.revoked']);
      expect(events.find((e) => e.type === 'key.leaked')).toMatchObject({ account_id: accountId, data: { key_id: id, key_prefix, url: 'https://github.com/octocat/app/blob/abc123/.env', source: 'content' } });
      expect(hooks.received.map((r) => r.body).join('\n')).not.toContain(key);
    });

    it('announces budget.threshold once when a key spends past 80% of its budget', async () => {
      const secret = await subscribe(['budget.threshold']);
      await gw.services.credits.ledger.grant({ accountId, amount: 1_000, reason: 'test', actorId: null, requestId: null });
      const { key, id } = await createKey(gw.app, user, { budget: { limit: 10, period: 'total' } });
      const chat = () => gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, payload: { model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] } });
      expect((await chat()).statusCode).toBe(200);
      expect((await chat()).statusCode).toBe(200);
      expect((await chat()).json().error).toMatchObject({ code: 'budget_exceeded', scope: 'key' });
      await gw.services.gateway.usage.flush();

      const events = await received(secret);
      expect(events).toEqual([expect.objectContaining({ type: 'budget.threshold', account_id: accountId, data: expect.objectContaining({ scope: 'key', key_id: id, percent: 80, limit: 10, spent: 8 }) })]);
    });
  });
}
