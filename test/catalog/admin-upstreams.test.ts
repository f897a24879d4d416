// Account-owned upstreams through the admin plane, and server-wide ones through the operator
// plane: the private-address guard (SPEC §7) at save time and at connect time, write-only secrets,
// owner isolation (another account's provider is a 404), and aliases and routes that stay within
// their owner's providers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, type SignedIn } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { guardedLookup } from '../../src/upstream/guarded-lookup.js';
import { CallCancel } from '../../src/upstream/call-cancel.js';
import { UpstreamClient, upstreamAgents } from '../../src/upstream/upstream-client.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

const ACCOUNT_SECRET = 'sk-account-owned-provider-secret-42';
const PRIVATE_URLS = ['http://127.0.0.1:8080/v1', 'http://10.0.0.1/v1', 'http://169.254.169.254/latest', 'http://[::1]:8080', 'http://[fd00:ec2::254]/', 'http://localhost:11434/v1', 'http://192.168.1.10/v1', 'http://[::ffff:127.0.0.1]/'];

for (const target of databaseTargets()) {
  describe(`admin-added upstreams, private upstreams not allowed (${target.name})`, () => {
    let f: GatewayFixture;
    beforeAll(async () => {
      f = await startGatewayFixture({ target });
    });
    afterAll(async () => {
      await f?.close();
    });

    for (const url of PRIVATE_URLS) {
      it(`refuses a provider at ${url} with 422 on base_url`, async () => {
        const response = await f.gw.app.inject({ method: 'POST', url: '/admin/providers', headers: f.user.auth, payload: { name: 'sneaky', type: 'openai', base_url: url } });
        expect(response.statusCode).toBe(422);
        expect(response.json().errors[0]).toMatchObject({ code: 'validation_error', field: 'base_url' });
      });
    }

    it('accepts a public address, and refuses a private one on update too', async () => {
      const created = await f.gw.app.inject({ method: 'POST', url: '/admin/providers', headers: f.user.auth, payload: { name: 'public', type: 'openai', base_url: 'https://8.8.8.8/v1' } });
      expect(created.statusCode).toBe(201);
      const moved = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${created.json().id}`, headers: f.user.auth, payload: { base_url: 'http://10.0.0.1/v1' } });
      expect(moved.statusCode).toBe(422);
      const list = await f.gw.app.inject({ url: '/admin/providers', headers: f.user.auth });
      expect(list.json().providers).toEqual([expect.objectContaining({ name: 'public', base_url: 'https://8.8.8.8/v1' })]);
    });

    it('lets an operator add a server-wide provider at a private address (trusted like the config file)', async () => {
      const operator = await signUp(f.gw.app);
      await f.gw.services.storage.users.setOperator(operator.userId, true, new Date().toISOString());
      const response = await f.gw.app.inject({ method: 'POST', url: '/api/v1/operator/providers', headers: operator.auth, payload: { name: 'local', type: 'openai', base_url: f.mock.url } });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ name: 'local', account_id: null, has_secret: false });
      const refused = await f.gw.app.inject({ method: 'POST', url: '/api/v1/operator/providers', headers: f.user.auth, payload: { name: 'x', type: 'openai', base_url: f.mock.url } });
      expect(refused.statusCode).toBe(403);
      const clash = await f.gw.app.inject({ method: 'POST', url: '/api/v1/operator/providers', headers: operator.auth, payload: { name: 'mock', type: 'openai', base_url: f.mock.url } });
      expect(clash.statusCode).toBe(409);
    });

    it('refuses at connect time a guarded upstream whose name resolves to a private address', async () => {
      const lookupError = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', { all: true }, (error) => resolve(error)));
      expect(lookupError?.code).toBe('ETOLLGATE_BLOCKED_ADDRESS');
      const agents = upstreamAgents({ connectMs: 1000, firstByteMs: 1000, idleMs: 1000 });
      const client = new UpstreamClient(agents);
      try {
        const byName = await client.send({ provider: { baseUrl: `http://localhost:${f.mock.port}/v1`, guarded: true }, path: '/models', method: 'GET', headers: {}, signal: new CallCancel() });
        expect(byName).toMatchObject({ ok: false, failure: 'blocked' });
        const byAddress = await client.send({ provider: { baseUrl: f.mock.url, guarded: true }, path: '/models', method: 'GET', headers: {}, signal: new CallCancel() });
        expect(byAddress).toMatchObject({ ok: false, failure: 'blocked' });
        const trusted = await client.send({ provider: { baseUrl: f.mock.url, guarded: false }, path: '/models', method: 'GET', headers: {}, signal: new CallCancel() });
        expect(trusted).toMatchObject({ ok: true, status: 200 });
        if (trusted.ok) trusted.body.resume();
      } finally {
        await Promise.all([agents.trusted.close(), agents.guarded.close()]);
      }
    });
  });

  describe(`admin-added upstreams with TOLLGATE_ALLOW_PRIVATE_UPSTREAMS on (${target.name})`, () => {
    let f: GatewayFixture;
    let other: SignedIn;
    beforeAll(async () => {
      rememberSecret(ACCOUNT_SECRET);
      f = await startGatewayFixture({ target, env: { TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'on' } });
      other = await signUp(f.gw.app);
    });
    afterAll(async () => {
      await f?.close();
    });

    let providerId: string;
    it('accepts a provider at 127.0.0.1, and never returns or stores its secret in the clear', async () => {
      const created = await f.gw.app.inject({ method: 'POST', url: '/admin/providers', headers: f.user.auth, payload: { name: 'mine', type: 'openai', base_url: f.mock.url, api_key: ACCOUNT_SECRET, models: ['gpt-4o-mini'] } });
      expect(created.statusCode).toBe(201);
      providerId = created.json().id;
      expect(created.json()).toMatchObject({ id: expect.stringMatching(/^prv_/), name: 'mine', has_secret: true });
      expect(created.body).not.toContain(ACCOUNT_SECRET);
      const listed = await f.gw.app.inject({ url: '/admin/providers', headers: f.user.auth });
      expect(listed.body).not.toContain(ACCOUNT_SECRET);
      const row = await f.gw.services.storage.providers.findById(providerId);
      expect(row?.encryptedSecret).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain(ACCOUNT_SECRET);
      const audit = await f.gw.app.inject({ url: '/admin/audit', headers: f.user.auth });
      expect(audit.body).toContain('provider.created');
      expect(audit.body).not.toContain(ACCOUNT_SECRET);
    });

    it("serves the account's keys through its own provider, with its secret upstream", async () => {
      const response = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model: 'mine/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } });
      expect(response.statusCode).toBe(200);
      expect(f.mock.requests.at(-1)?.headers.authorization).toBe(`Bearer ${ACCOUNT_SECRET}`);
      // A model the provider does not declare is not reachable through it.
      const undeclared = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model: 'mine/gpt-4.1-mini', messages: [] } });
      expect(undeclared.statusCode).toBe(400);
    });

    it("keeps one account's provider invisible to another (404, and not usable)", async () => {
      expect((await f.gw.app.inject({ url: `/admin/providers/${providerId}`, headers: other.auth })).statusCode).toBe(404);
      expect((await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${providerId}`, headers: other.auth, payload: { models: null } })).statusCode).toBe(404);
      expect((await f.gw.app.inject({ method: 'DELETE', url: `/admin/providers/${providerId}`, headers: other.auth })).statusCode).toBe(404);
      const key = await createKey(f.gw.app, other);
      const response = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key.key}` }, payload: { model: 'mine/gpt-4o-mini', messages: [] } });
      expect(response.statusCode).toBe(400);
    });

    it("lets an account alias target its own providers only, never the operator's", async () => {
      const own = await f.gw.app.inject({ method: 'POST', url: '/admin/aliases', headers: f.user.auth, payload: { name: 'house-model', targets: [{ provider: 'mine', model: 'gpt-4o-mini' }] } });
      expect(own.statusCode).toBe(201);
      const borrowed = await f.gw.app.inject({ method: 'POST', url: '/admin/aliases', headers: f.user.auth, payload: { name: 'free-ride', targets: [{ provider: 'mock', model: 'gpt-4o-mini' }] } });
      expect(borrowed.statusCode).toBe(422);
      expect(borrowed.json().errors[0].field).toBe('targets.0.provider');
      const models = await f.gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${f.key}` } });
      expect(models.json().data.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining(['house-model', 'mine/gpt-4o-mini', 'chat-default']));
      const response = await f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model: 'house-model', messages: [{ role: 'user', content: 'Hi' }] } });
      expect(response.statusCode).toBe(200);
    });

    it('rotates a provider secret write-only, and clears it with null', async () => {
      const patched = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${providerId}`, headers: f.user.auth, payload: { api_key: `${ACCOUNT_SECRET}-2` } });
      expect(patched.statusCode).toBe(200);
      expect(patched.body).not.toContain(ACCOUNT_SECRET);
      const cleared = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${providerId}`, headers: f.user.auth, payload: { api_key: null } });
      expect(cleared.json().has_secret).toBe(false);
    });

    it('refuses routes on paths Tollgate serves itself, and onto providers that are not http', async () => {
      const reserved = await f.gw.app.inject({ method: 'POST', url: '/admin/routes', headers: f.user.auth, payload: { path: '/api/v1/things', provider: 'mine' } });
      expect(reserved.statusCode).toBe(422);
      const wrongType = await f.gw.app.inject({ method: 'POST', url: '/admin/routes', headers: f.user.auth, payload: { path: '/v1/things', provider: 'mine' } });
      expect(wrongType.statusCode).toBe(422);
      expect(wrongType.json().errors[0].field).toBe('provider');
    });
  });
}
