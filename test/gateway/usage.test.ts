// Usage (SPEC §1, §4): a record per data-plane request, written in batches off the request path,
// read back grouped by day, key and model for the caller's accounts only.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp } from '../support/harness.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { UsageRecordsRepository } from '../../src/storage/usage-records.js';

for (const target of databaseTargets()) {
  describe(`usage records and GET /api/v1/usage (${target.name})`, () => {
    let f: GatewayFixture;
    beforeAll(async () => {
      f = await startGatewayFixture({ target });
    });
    afterAll(async () => {
      await f?.close();
    });

    const chat = (key: string, model: string) =>
      f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, payload: { model, messages: [{ role: 'user', content: 'Say hello to the gateway.' }] } });

    it('groups requests by day, key and model with their tokens', async () => {
      const second = await createKey(f.gw.app, f.user);
      for (let i = 0; i < 3; i++) expect((await chat(f.key, 'chat-default')).statusCode).toBe(200);
      expect((await chat(second.key, 'mock/gpt-4o-mini')).statusCode).toBe(200);
      expect((await chat(second.key, 'unknown-model')).statusCode).toBe(400);

      const usage = await f.gw.app.inject({ url: '/api/v1/usage', headers: f.user.auth });
      expect(usage.statusCode).toBe(200);
      const today = new Date().toISOString().slice(0, 10);
      const accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      expect(usage.json().to).toBe(today);
      expect(usage.json().data).toEqual(
        expect.arrayContaining([
          { day: today, account_id: accountId, key_id: f.keyId, model: 'chat-default', requests: 3, errors: 0, input_tokens: 21, output_tokens: 15, credits: 0, exact_cost: '0' },
          { day: today, account_id: accountId, key_id: second.id, model: 'mock/gpt-4o-mini', requests: 1, errors: 0, input_tokens: 7, output_tokens: 5, credits: 0, exact_cost: '0' },
          { day: today, account_id: accountId, key_id: second.id, model: 'unknown-model', requests: 1, errors: 1, input_tokens: 0, output_tokens: 0, credits: 0, exact_cost: '0' },
        ]),
      );
      expect(usage.json().totals).toMatchObject({ requests: 5, errors: 1, input_tokens: 28, output_tokens: 20 });
    });

    it('records a model listing as a request without a model, not as a model named /v1/models', async () => {
      const own = await createKey(f.gw.app, f.user);
      expect((await f.gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${own.key}` } })).statusCode).toBe(200);
      await f.gw.services.gateway.usage.flush();
      const rows = (await f.gw.app.inject({ url: `/api/v1/usage?key_id=${own.id}`, headers: f.user.auth })).json().data;
      expect(rows).toEqual([expect.objectContaining({ key_id: own.id, model: null, requests: 1, errors: 0, credits: 0 })]);
    });

    it("updates a key's last_used_at when it calls a self-service route, as on the data plane", async () => {
      const own = await createKey(f.gw.app, f.user);
      expect((await f.gw.app.inject({ url: '/api/v1/usage', headers: { authorization: `Bearer ${own.key}` } })).statusCode).toBe(200);
      await f.gw.services.gateway.lastUsed.flush();
      const listed = (await f.gw.app.inject({ url: '/api/v1/auth/keys', headers: f.user.auth })).json();
      const row = (Array.isArray(listed) ? listed : listed.data).find((k: { id: string }) => k.id === own.id);
      expect(row.last_used_at).not.toBeNull();
    });

    it("answers an API key with its own account's usage, filtered by key", async () => {
      const usage = await f.gw.app.inject({ url: `/api/v1/usage?key_id=${f.keyId}`, headers: { authorization: `Bearer ${f.key}` } });
      expect(usage.statusCode).toBe(200);
      expect(usage.json().data.every((row: { key_id: string }) => row.key_id === f.keyId)).toBe(true);
    });

    it("never shows another account's usage", async () => {
      const stranger = await signUp(f.gw.app);
      const mine = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      expect((await f.gw.app.inject({ url: '/api/v1/usage', headers: stranger.auth })).json().data).toEqual([]);
      expect((await f.gw.app.inject({ url: `/api/v1/usage?account_id=${mine}`, headers: stranger.auth })).statusCode).toBe(404);
    });

    it('validates the date range', async () => {
      expect((await f.gw.app.inject({ url: '/api/v1/usage?from=2025-02-01&to=2025-01-01', headers: f.user.auth })).statusCode).toBe(422);
      expect((await f.gw.app.inject({ url: '/api/v1/usage?from=2020-01-01&to=2025-01-01', headers: f.user.auth })).statusCode).toBe(422);
    });

    it('writes queued usage on shutdown', async () => {
      const own = await startGatewayFixture({ target });
      const written: string[] = [];
      // Every repository's, the storage's own and a transaction's (the group commit writes in its batch's).
      const insertMany = UsageRecordsRepository.prototype.insertMany;
      const spy = vi.spyOn(UsageRecordsRepository.prototype, 'insertMany').mockImplementation(async function (this: UsageRecordsRepository, records) {
        await insertMany.call(this, records);
        written.push(...records.map((r) => r.requestId));
      });
      try {
        const response = await own.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${own.key}` }, payload: { model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] } });
        expect(response.statusCode).toBe(200);
        const requestId = response.headers['x-request-id'] as string;
        // Batched off the request path: not written yet (the writer flushes every second)…
        expect(written).not.toContain(requestId);
        await own.close();
        // …and written by the time the node has shut down.
        expect(written).toContain(requestId);
      } finally {
        spy.mockRestore();
      }
    });
  });
}
