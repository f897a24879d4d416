// Sessions and automation (SPEC §1, §4): a session pins (key, model) to one upstream target; with
// automation on, a request without one opens one; with automation off it is refused with 409
// session_required; a key holds at most one open session per model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp } from '../support/harness.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

const messages = [{ role: 'user', content: 'Hi' }];

for (const target of databaseTargets()) {
  describe(`sessions and automation (${target.name})`, () => {
    let f: GatewayFixture;
    let twin: MockOpenAI;
    beforeAll(async () => {
      twin = await startMockOpenAI();
      f = await startGatewayFixture({
        target,
        config: {
          providers: [{ id: 'twin', type: 'openai', base_url: twin.url }],
          aliases: [{ name: 'balanced', strategy: 'weighted', targets: [{ provider: 'mock', model: 'gpt-4o-mini', weight: 1 }, { provider: 'twin', model: 'gpt-4o-mini', weight: 1 }] }],
        },
      });
    });
    afterAll(async () => {
      await f?.close();
      await twin?.close();
    });

    const asKey = (key: string) => ({ authorization: `Bearer ${key}` });
    const chat = (key: string, model = 'chat-default') => f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: asKey(key), payload: { model, messages } });

    it('opens a session automatically when automation is on (the default)', async () => {
      const key = await createKey(f.gw.app, f.user);
      expect((await chat(key.key)).statusCode).toBe(200);
      const sessions = await f.gw.app.inject({ url: '/api/v1/sessions', headers: asKey(key.key) });
      expect(sessions.statusCode).toBe(200);
      const [session] = sessions.json();
      expect(session).toMatchObject({ id: expect.stringMatching(/^ses_/), model: 'chat-default', provider: 'mock', key_id: key.id });
      const lengthS = (Date.parse(session.expires_at) - Date.parse(session.created_at)) / 1000;
      expect(lengthS).toBe(3600);
    });

    it('pins every request of a session to one target of a weighted alias', async () => {
      const key = await createKey(f.gw.app, f.user);
      const before = { mock: f.mock.requests.length, twin: twin.requests.length };
      for (let i = 0; i < 12; i++) expect((await chat(key.key, 'balanced')).statusCode).toBe(200);
      const [session] = (await f.gw.app.inject({ url: '/api/v1/sessions', headers: asKey(key.key) })).json();
      const counts = { mock: f.mock.requests.length - before.mock, twin: twin.requests.length - before.twin };
      expect(counts[session.provider as 'mock' | 'twin']).toBe(12);
    });

    it('refuses a request without a session with 409 session_required when automation is off', async () => {
      const user = await signUp(f.gw.app);
      const key = await createKey(f.gw.app, user);
      const off = await f.gw.app.inject({ method: 'PUT', url: '/api/v1/automation/settings', headers: user.auth, payload: { is_enabled: false } });
      expect(off.statusCode).toBe(200);
      const refused = await chat(key.key);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({ code: 'session_required' });

      const opened = await f.gw.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: asKey(key.key), payload: { model: 'chat-default', session_duration: 120 } });
      expect(opened.statusCode).toBe(201);
      expect(opened.json()).toMatchObject({ model: 'chat-default', provider: 'mock', target_model: 'gpt-4o-mini' });
      expect((Date.parse(opened.json().expires_at) - Date.parse(opened.json().created_at)) / 1000).toBe(120);
      expect((await chat(key.key)).statusCode).toBe(200);

      const ended = await f.gw.app.inject({ method: 'DELETE', url: `/api/v1/sessions/${opened.json().id}`, headers: user.auth });
      expect(ended.statusCode).toBe(204);
      expect((await chat(key.key)).statusCode).toBe(409);
    });

    it('keeps at most one open session per key and model: a new one replaces the old', async () => {
      const key = await createKey(f.gw.app, f.user);
      const first = await f.gw.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: asKey(key.key), payload: { model: 'balanced' } });
      const second = await f.gw.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: asKey(key.key), payload: { model: 'balanced' } });
      expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
      const open = (await f.gw.app.inject({ url: '/api/v1/sessions', headers: asKey(key.key) })).json();
      expect(open.map((s: { id: string }) => s.id)).toEqual([second.json().id]);
      // Concurrent automatic opens settle on one session too.
      const fresh = await createKey(f.gw.app, f.user);
      const results = await Promise.all(Array.from({ length: 8 }, () => chat(fresh.key)));
      expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
      expect((await f.gw.app.inject({ url: '/api/v1/sessions', headers: asKey(fresh.key) })).json()).toHaveLength(1);
    });

    it('opens a session for the default key with an access token, and keeps sessions private', async () => {
      const opened = await f.gw.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: f.user.auth, payload: { model: 'mock/gpt-4o-mini' } });
      expect(opened.statusCode).toBe(201);
      expect(opened.json().key_id).toMatch(/^key_/);
      const stranger = await signUp(f.gw.app);
      expect((await f.gw.app.inject({ method: 'DELETE', url: `/api/v1/sessions/${opened.json().id}`, headers: stranger.auth })).statusCode).toBe(404);
      expect((await f.gw.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: f.user.auth, payload: { model: 'nope' } })).statusCode).toBe(400);
    });
  });
}
