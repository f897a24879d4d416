import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseKey } from '../../src/core/key-format.js';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { keyVerifier } from '../../src/http/authenticate.js';
import { verifyKey } from '../../src/keys/verify-key.js';

for (const target of databaseTargets()) {
  describe(`personal API keys on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());
    afterEach(() => {
      vi.useRealTimers();
    });

    /** The key works where an API key is accepted (automation settings). */
    const keyWorks = async (key: string) => (await gw.app.inject({ url: '/api/v1/automation/settings', headers: { authorization: `Bearer ${key}` } })).statusCode === 200;

    it('creates a key shown once; listings show only its prefix', async () => {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user, { name: 'apitest' });
      expect(created).toMatchObject({ id: expect.stringMatching(/^key_/), name: 'apitest', is_default: false, allowed_origins: [], scopes: [] });
      const parsed = parseKey(created.key, 'tg');
      expect(parsed.ok && parsed.key.keyPrefix).toBe(created.key_prefix);
      expect(created.key).toHaveLength(54);

      const list = await gw.app.inject({ url: '/api/v1/auth/keys', headers: user.auth });
      expect(list.json()).toHaveLength(1);
      expect(list.body).not.toContain(created.key);
      expect(list.json()[0]).toMatchObject({ id: created.id, key_prefix: created.key_prefix, last_used_at: null, is_active: true, revoked_at: null });
      expect(list.json()[0]).not.toHaveProperty('key');
    });

    it('accepts the seed automation call with the key and recovers the key with the access token', async () => {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user, { name: 'apitest' });
      const put = await gw.app.inject({ method: 'PUT', url: '/api/v1/automation/settings', headers: { authorization: `Bearer ${created.key}` }, payload: { is_enabled: true, session_duration: 3600 } });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toEqual({ is_enabled: true, session_duration: 3600, user_id: user.userId, created_at: expect.any(String), updated_at: expect.any(String) });

      const decrypted = await gw.app.inject({ url: '/api/v1/auth/keys/default/decrypted', headers: user.auth });
      expect(decrypted.statusCode).toBe(200);
      expect(decrypted.json()).toMatchObject({ id: created.id, key: created.key, key_prefix: created.key_prefix, is_active: true });
      const audit = await gw.services.storage.audit.listByAccount((await gw.services.storage.accounts.findPersonal(user.userId))!.id, { limit: 10 });
      expect(audit.events.filter((e) => e.action === 'key.revealed')).toHaveLength(1);
    });

    it('refuses an API key on every key-management route', async () => {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user);
      const auth = { authorization: `Bearer ${created.key}` };
      for (const [method, url] of [['POST', '/api/v1/auth/keys'], ['GET', '/api/v1/auth/keys'], ['GET', `/api/v1/auth/keys/${created.id}`], ['DELETE', `/api/v1/auth/keys/${created.id}`], ['GET', '/api/v1/auth/keys/default/decrypted'], ['POST', `/api/v1/auth/keys/${created.id}/rotate`]] as const) {
        const response = await gw.app.inject({ method, url, headers: auth, payload: method === 'POST' ? {} : undefined });
        expect(response.statusCode, `${method} ${url}`).toBe(403);
      }
      expect(await keyWorks(created.key)).toBe(true);
    });

    it("answers 404 on every key route for another user's key", async () => {
      const owner = await signUp(gw.app);
      const other = await signUp(gw.app);
      const created = await createKey(gw.app, owner);
      const routes = [
        ['GET', `/api/v1/auth/keys/${created.id}`, undefined],
        ['PATCH', `/api/v1/auth/keys/${created.id}`, { name: 'stolen' }],
        ['DELETE', `/api/v1/auth/keys/${created.id}`, undefined],
        ['POST', `/api/v1/auth/keys/${created.id}/rotate`, {}],
        ['PUT', `/api/v1/auth/keys/${created.id}/default`, undefined],
      ] as const;
      for (const [method, url, payload] of routes) {
        const response = await gw.app.inject({ method, url, headers: other.auth, ...(payload ? { payload } : {}) });
        expect(response.statusCode, `${method} ${url}`).toBe(404);
        expect(response.json().errors[0].code).toBe('not_found');
      }
      expect(await keyWorks(created.key)).toBe(true);
      expect((await gw.app.inject({ url: `/api/v1/auth/keys/${created.id}`, headers: owner.auth })).json().name).toBe('test');
    });

    it('rejects a key with a bad checksum without any storage query', async () => {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user);
      const typo = created.key.slice(0, 30) + (created.key[30] === 'a' ? 'b' : 'a') + created.key.slice(31);
      const executor = gw.services.database.db.getExecutor();
      const spy = vi.spyOn(executor, 'executeQuery');
      const result = await verifyKey(keyVerifier(gw.services), { credential: typo, origin: undefined }, new Date());
      expect(result).toEqual({ ok: false, code: 'invalid_api_key', reason: 'bad_checksum' });
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
      const response = await gw.app.inject({ url: '/api/v1/automation/settings', headers: { 'x-api-key': typo } });
      expect(response.statusCode).toBe(401);
      expect(response.json().errors[0].code).toBe('invalid_api_key');
    });

    it('revokes a key at once', async () => {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user);
      expect((await gw.app.inject({ method: 'DELETE', url: `/api/v1/auth/keys/${created.id}`, headers: user.auth })).statusCode).toBe(204);
      expect(await keyWorks(created.key)).toBe(false);
      const meta = await gw.app.inject({ url: `/api/v1/auth/keys/${created.id}`, headers: user.auth });
      expect(meta.json()).toMatchObject({ is_active: false, revoked_at: expect.any(String) });
    });

    it('refuses an expired key', async () => {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user, { expires_at: new Date(Date.now() + 2000).toISOString() });
      expect(await keyWorks(created.key)).toBe(true);
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2001 });
      expect(await keyWorks(created.key)).toBe(false);
    });

    it('honours the rotate grace period to the second', async () => {
      const user = await signUp(gw.app);
      const old = await createKey(gw.app, user, { name: 'rotating', scopes: ['chat'], allowed_origins: ['https://app.example.com'], models: ['gpt-4o-mini'], rate_limit: { rpm: 10 } });
      const start = Date.now();
      vi.useFakeTimers({ toFake: ['Date'], now: start });
      const rotated = await gw.app.inject({ method: 'POST', url: `/api/v1/auth/keys/${old.id}/rotate`, headers: user.auth, payload: { grace_period_seconds: 30 } });
      expect(rotated.statusCode).toBe(201);
      const fresh = rotated.json();
      rememberSecret(fresh.key);
      expect(fresh).toMatchObject({ rotated_from: old.id, name: 'rotating', scopes: ['chat'], allowed_origins: ['https://app.example.com'], models: ['gpt-4o-mini'], rate_limit: { rpm: 10 } });
      expect(fresh.key).not.toBe(old.key);

      vi.setSystemTime(start + 29_000);
      expect(await keyWorks(old.key)).toBe(true);
      vi.setSystemTime(start + 29_999);
      expect(await keyWorks(old.key)).toBe(true);
      vi.setSystemTime(start + 30_000);
      expect(await keyWorks(old.key)).toBe(false);
      expect(await keyWorks(fresh.key)).toBe(true);
    });

    it('rotates with no grace period by default', async () => {
      const user = await signUp(gw.app);
      const old = await createKey(gw.app, user);
      const rotated = await gw.app.inject({ method: 'POST', url: `/api/v1/auth/keys/${old.id}/rotate`, headers: user.auth, payload: {} });
      rememberSecret(rotated.json().key);
      expect(await keyWorks(old.key)).toBe(false);
      expect(await keyWorks(rotated.json().key)).toBe(true);
    });

    it('picks the marked default, else the oldest active key, else 404', async () => {
      const user = await signUp(gw.app);
      expect((await gw.app.inject({ url: '/api/v1/auth/keys/default', headers: user.auth })).statusCode).toBe(404);
      expect((await gw.app.inject({ url: '/api/v1/auth/keys/first', headers: user.auth })).statusCode).toBe(404);
      const a = await createKey(gw.app, user, { name: 'a' });
      const b = await createKey(gw.app, user, { name: 'b' });
      expect((await gw.app.inject({ url: '/api/v1/auth/keys/default', headers: user.auth })).json().id).toBe(a.id);
      const put = await gw.app.inject({ method: 'PUT', url: `/api/v1/auth/keys/${b.id}/default`, headers: user.auth });
      expect(put.json()).toMatchObject({ id: b.id, is_default: true });
      expect((await gw.app.inject({ url: '/api/v1/auth/keys/default', headers: user.auth })).json().id).toBe(b.id);
      expect((await gw.app.inject({ url: '/api/v1/auth/keys/first', headers: user.auth })).json().id).toBe(a.id);
      const c = await createKey(gw.app, user, { name: 'c', is_default: true });
      const list = (await gw.app.inject({ url: '/api/v1/auth/keys', headers: user.auth })).json() as Array<{ id: string; is_default: boolean }>;
      expect(list.filter((k) => k.is_default).map((k) => k.id)).toEqual([c.id]);
    });

    it('updates name, origins, expiry, scopes, models and rate limit', async () => {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user);
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const patched = await gw.app.inject({
        method: 'PATCH', url: `/api/v1/auth/keys/${created.id}`, headers: user.auth,
        payload: { name: 'renamed', allowed_origins: ['https://app.example.com/'], expires_at: expiresAt, scopes: ['chat', 'chat'], models: ['m1'], rate_limit: { rpm: 5, concurrency: 2 } },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ name: 'renamed', allowed_origins: ['https://app.example.com'], expires_at: expiresAt, scopes: ['chat'], models: ['m1'], rate_limit: { rpm: 5, concurrency: 2 } });
    });

    it.each([
      ['an origin with a path', { allowed_origins: ['https://app.example.com/path'] }, 'allowed_origins.0'],
      ['a wildcard origin', { allowed_origins: ['https://*.example.com'] }, 'allowed_origins.0'],
      ['an expiry in the past', { expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
      ['a malformed expiry', { expires_at: 'tomorrow' }, 'expires_at'],
      ['an unknown environment', { environment: 'prod' }, 'environment'],
      ['a zero rate limit', { rate_limit: { rpm: 0 } }, 'rate_limit.rpm'],
    ])('refuses %s with 422', async (_name, body, field) => {
      const user = await signUp(gw.app);
      const response = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: user.auth, payload: body });
      expect(response.statusCode).toBe(422);
      expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('creates test-environment keys with their own prefix', async () => {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user, { environment: 'test' });
      expect(created.key).toMatch(/^tg_test_/);
      expect(await keyWorks(created.key)).toBe(true);
    });
  });
}

describe('key recovery and prefix settings', () => {
  it('answers 409 on decrypted when recovery is off, and stores no ciphertext', async () => {
    const gw = await startTestGateway({ env: { TOLLGATE_KEY_RECOVERY: 'off' } });
    try {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user);
      const response = await gw.app.inject({ url: '/api/v1/auth/keys/default/decrypted', headers: user.auth });
      expect(response.statusCode).toBe(409);
      expect(response.json().errors[0].code).toBe('key_recovery_disabled');
      expect((await gw.services.storage.apiKeys.findById(created.id))?.encryptedKey).toBeNull();
    } finally {
      await gw.close();
    }
  });

  it('limits decrypted reads per user with 429 and Retry-After', async () => {
    const gw = await startTestGateway();
    try {
      const user = await signUp(gw.app);
      await createKey(gw.app, user);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await gw.app.inject({ url: '/api/v1/auth/keys/default/decrypted', headers: user.auth })).statusCode);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      const last = await gw.app.inject({ url: '/api/v1/auth/keys/default/decrypted', headers: user.auth });
      expect(last.statusCode).toBe(429);
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await gw.close();
    }
  });

  it('fails to decrypt a ciphertext copied onto another row', async () => {
    const gw = await startTestGateway();
    try {
      const user = await signUp(gw.app);
      const a = await createKey(gw.app, user, { name: 'a' });
      const b = await createKey(gw.app, user, { name: 'b', is_default: true });
      const rowA = await gw.services.storage.apiKeys.findById(a.id);
      await gw.services.database.db.updateTable('api_keys').set({ encrypted_key: rowA!.encryptedKey }).where('id', '=', b.id).execute();
      expect(gw.services.keys.reveal((await gw.services.storage.apiKeys.findById(b.id))!)).toBeNull();
      const response = await gw.app.inject({ url: '/api/v1/auth/keys/default/decrypted', headers: user.auth });
      expect(response.statusCode).toBe(409);
      expect(response.body).not.toContain(a.key);
    } finally {
      await gw.close();
    }
  });

  it('mints keys with a configured prefix and refuses keys of another prefix', async () => {
    const gw = await startTestGateway({ env: { TOLLGATE_KEY_PREFIX: 'acme' } });
    try {
      const user = await signUp(gw.app);
      const created = await createKey(gw.app, user);
      expect(created.key).toMatch(/^acme_live_[0-9A-Za-z]{46}$/);
      expect(created.key).toHaveLength(56);
      expect((await verifyKey(keyVerifier(gw.services), { credential: created.key, origin: undefined }, new Date())).ok).toBe(true);
      expect(await verifyKey(keyVerifier(gw.services), { credential: created.key.replace(/^acme/, 'tg'), origin: undefined }, new Date())).toMatchObject({ ok: false });
    } finally {
      await gw.close();
    }
  });
});
