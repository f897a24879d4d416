// The key check of SPEC §4, one behaviour per test: header precedence, shape and checksum before
// any lookup, revoked and expired keys, deactivated creators, the origin table of SPEC §5 row by
// row, and the key's model allowlist.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

const body = { model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] };

for (const target of databaseTargets()) {
  describe(`the data-plane key check (${target.name})`, () => {
    let f: GatewayFixture;
    beforeAll(async () => {
      f = await startGatewayFixture({ target });
    });
    afterAll(async () => {
      await f?.close();
    });

    const chat = (headers: Record<string, string>) => f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers, payload: body });

    describe('header precedence', () => {
      it('accepts the key in X-API-Key', async () => {
        expect((await chat({ 'x-api-key': f.key })).statusCode).toBe(200);
      });

      it('lets Authorization: Bearer win over X-API-Key when both are present', async () => {
        expect((await chat({ authorization: `Bearer ${f.key}`, 'x-api-key': 'tg_live_garbage' })).statusCode).toBe(200);
        const refused = await chat({ authorization: 'Bearer tg_live_garbage', 'x-api-key': f.key });
        expect(refused.statusCode).toBe(401);
        expect(refused.json().error).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' });
      });

      it('answers 401 with a hint when no key is sent', async () => {
        const response = await chat({});
        expect(response.statusCode).toBe(401);
        expect(response.json().error.message).toContain('No API key was provided.');
      });
    });

    it('refuses a key with a bad checksum without any cache or storage lookup', async () => {
      const findById = vi.spyOn(f.gw.services.storage.apiKeys, 'findById');
      const lookup = vi.spyOn(f.gw.services.gateway.keyCache, 'lookup');
      try {
        const last = f.key.at(-1) === 'A' ? 'B' : 'A';
        const response = await chat({ authorization: `Bearer ${f.key.slice(0, -1)}${last}` });
        expect(response.statusCode).toBe(401);
        expect(lookup).not.toHaveBeenCalled();
        expect(findById).not.toHaveBeenCalled();
      } finally {
        findById.mockRestore();
        lookup.mockRestore();
      }
    });

    it('refuses a well-formed key whose secret does not match, even when its row is cached', async () => {
      expect((await chat({ authorization: `Bearer ${f.key}` })).statusCode).toBe(200);
      // Same key id and checksum scheme, different secret: a forged key for a cached row.
      const { formatKey } = await import('../../src/core/key-format.js');
      const id = f.keyId.slice('key_'.length);
      const forged = formatKey('tg', 'live', id, 'x'.repeat(32));
      expect((await chat({ authorization: `Bearer ${forged}` })).statusCode).toBe(401);
    });

    it('refuses a revoked key at once on the node that revoked it, though it was cached', async () => {
      const doomed = await createKey(f.gw.app, f.user);
      expect((await chat({ authorization: `Bearer ${doomed.key}` })).statusCode).toBe(200);
      await f.gw.app.inject({ method: 'DELETE', url: `/api/v1/auth/keys/${doomed.id}`, headers: f.user.auth });
      const refused = await chat({ authorization: `Bearer ${doomed.key}` });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('invalid_api_key');
    });

    it('refuses an expired key, and a cached key the moment it expires', async () => {
      const account = await f.gw.services.storage.accounts.findPersonal(f.user.userId);
      const mint = (expiresAt: string) =>
        f.gw.services.keys.mint({
          accountId: account!.id, createdBy: f.user.userId, kind: 'personal', name: 'short-lived', environment: 'live', expiresAt,
          allowedOrigins: [], scopes: [], models: null, rateLimit: null, isDefault: false, recoverable: false, rotatedFrom: null,
        });
      const past = await mint(new Date(Date.now() - 1000).toISOString());
      rememberSecret(past.key);
      expect((await chat({ authorization: `Bearer ${past.key}` })).statusCode).toBe(401);

      const soon = await mint(new Date(Date.now() + 800).toISOString());
      rememberSecret(soon.key);
      expect((await chat({ authorization: `Bearer ${soon.key}` })).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 900));
      expect((await chat({ authorization: `Bearer ${soon.key}` })).statusCode).toBe(401);
    });

    it("refuses a key whose creator was deactivated (on the key-change event)", async () => {
      const { signUp } = await import('../support/harness.js');
      const other = await signUp(f.gw.app);
      const key = await createKey(f.gw.app, other);
      expect((await chat({ authorization: `Bearer ${key.key}` })).statusCode).toBe(200);
      await f.gw.services.storage.users.setActive(other.userId, false, new Date().toISOString());
      f.gw.services.keyEvents.changed(key.id);
      expect((await chat({ authorization: `Bearer ${key.key}` })).statusCode).toBe(401);
    });

    describe('the origin table (SPEC §5)', () => {
      let open: string;
      let fenced: string;
      beforeAll(async () => {
        open = (await createKey(f.gw.app, f.user)).key;
        fenced = (await createKey(f.gw.app, f.user, { allowed_origins: ['https://app.example.com'] })).key;
      });

      it('accepts any Origin when the key has no allowed origins', async () => {
        expect((await chat({ authorization: `Bearer ${open}`, origin: 'https://anywhere.example' })).statusCode).toBe(200);
      });

      it('accepts an Origin that matches one of the allowed origins exactly', async () => {
        expect((await chat({ authorization: `Bearer ${fenced}`, origin: 'https://app.example.com' })).statusCode).toBe(200);
      });

      it('refuses an Origin that does not match with 403 origin_not_allowed', async () => {
        for (const origin of ['https://evil.example', 'https://app.example.com:8443', 'http://app.example.com']) {
          const response = await chat({ authorization: `Bearer ${fenced}`, origin });
          expect(response.statusCode, origin).toBe(403);
          expect(response.json().error.code).toBe('origin_not_allowed');
        }
      });

      it('accepts a request with no Origin header (server to server)', async () => {
        expect((await chat({ authorization: `Bearer ${fenced}` })).statusCode).toBe(200);
      });

      it('answers a CORS preflight for any origin, and lets the page read both the answer and a refusal', async () => {
        const preflight = await f.gw.app.inject({ method: 'OPTIONS', url: '/v1/chat/completions', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
        expect(preflight.statusCode).toBe(204);
        expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
        expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
        const allowed = await chat({ authorization: `Bearer ${fenced}`, origin: 'https://app.example.com' });
        expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
        const refused = await chat({ authorization: `Bearer ${fenced}`, origin: 'https://evil.example' });
        expect(refused.statusCode).toBe(403);
        expect(refused.headers['access-control-allow-origin']).toBe('https://evil.example');
        expect(refused.headers['access-control-allow-credentials']).toBeUndefined();
      });
    });

    describe("the key's model allowlist", () => {
      let narrow: string;
      beforeAll(async () => {
        narrow = (await createKey(f.gw.app, f.user, { models: ['chat-default'] })).key;
      });

      it('allows a listed model and refuses another with 403 forbidden', async () => {
        expect((await chat({ authorization: `Bearer ${narrow}` })).statusCode).toBe(200);
        const refused = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${narrow}` }, payload: { ...body, model: 'mock/gpt-4o-mini' } });
        expect(refused.statusCode).toBe(403);
        expect(refused.json().error).toMatchObject({ code: 'forbidden', param: 'model' });
      });

      it('lists only the allowed models', async () => {
        const models = await f.gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${narrow}` } });
        expect(models.json().data.map((m: { id: string }) => m.id)).toEqual(['chat-default']);
      });
    });

    it('answers an unknown model with 400 invalid_request naming the model parameter', async () => {
      const response = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { ...body, model: 'nope/nothing' } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'invalid_request', param: 'model' });
    });

    it('keeps last_used_at fresh through a batched write', async () => {
      expect((await chat({ authorization: `Bearer ${f.key}` })).statusCode).toBe(200);
      await f.gw.services.gateway.lastUsed.flush();
      const key = await f.gw.services.storage.apiKeys.findById(f.keyId);
      expect(key?.lastUsedAt).not.toBeNull();
      expect(Date.now() - Date.parse(key!.lastUsedAt!)).toBeLessThan(10_000);
    });
  });
}
