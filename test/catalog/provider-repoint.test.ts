// Issue 9 item 3: re-pointing a provider must never hand its stored secret to the new host. A
// change of scheme, host or port drops the secret unless a new one comes in the same request; any
// change of base_url needs an owner or admin (members 403). The same rule holds for the operator's
// server-wide providers. Upstreams here are real servers on loopback sockets of the test's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { teamWithRoles, type Team } from '../support/accounts-fixtures.js';

const STORED_SECRET = 'sk-stored-provider-secret-for-repoint-0001';
const NEW_SECRET = 'sk-new-provider-secret-for-repoint-0002';

for (const target of databaseTargets()) {
  describe(`re-pointing a provider's base_url (${target.name})`, () => {
    let f: GatewayFixture;
    let attacker: MockOpenAI;
    let team: Team;
    let orgKey: string;
    beforeAll(async () => {
      rememberSecret(STORED_SECRET, NEW_SECRET);
      f = await startGatewayFixture({ target, env: { TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'on' } });
      attacker = await startMockOpenAI();
      await f.listen();
      team = await teamWithRoles(f.gw.app);
      const minted = await f.gw.app.inject({ method: 'POST', url: '/admin/keys', headers: { ...team.owner.auth, 'x-account-id': team.accountId }, payload: { name: 'team key' } });
      orgKey = minted.json().secret;
      rememberSecret(orgKey);
    });
    afterAll(async () => {
      await f?.close();
      await attacker?.close();
    });

    const asTeam = (who: { auth: Record<string, string> }) => ({ ...who.auth, 'x-account-id': team.accountId });

    async function teamProvider(name: string): Promise<string> {
      const created = await f.gw.app.inject({ method: 'POST', url: '/admin/providers', headers: asTeam(team.owner), payload: { name, type: 'openai', base_url: f.mock.url, api_key: STORED_SECRET, models: ['gpt-4o-mini'] } });
      expect(created.statusCode).toBe(201);
      return created.json().id;
    }

    /** A chat call through Tollgate's real socket, with the team's org key. */
    async function chat(model: string, key = orgKey): Promise<number> {
      const response = await fetch(`${f.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      await response.arrayBuffer();
      return response.status;
    }

    it('refuses a member re-pointing a provider (403), leaving it and its secret in place', async () => {
      const id = await teamProvider('members-cannot');
      const moved = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${id}`, headers: asTeam(team.member), payload: { base_url: attacker.url } });
      expect(moved.statusCode).toBe(403);
      expect(moved.json().errors[0].code).toBe('forbidden');
      const samePath = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${id}`, headers: asTeam(team.member), payload: { base_url: `${f.mock.url}/other` } });
      expect(samePath.statusCode).toBe(403);
      // Changing the model list is still a member's business.
      const models = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${id}`, headers: asTeam(team.member), payload: { models: ['gpt-4o-mini', 'gpt-4.1-mini'] } });
      expect(models.statusCode).toBe(200);
      expect(models.json()).toMatchObject({ base_url: f.mock.url, has_secret: true });
      expect(await chat('members-cannot/gpt-4o-mini')).toBe(200);
      expect(f.mock.requests.at(-1)?.headers.authorization).toBe(`Bearer ${STORED_SECRET}`);
      expect(attacker.requests).toHaveLength(0);
    });

    it('drops the stored secret when an admin moves the provider to another host: the new host never sees it', async () => {
      const id = await teamProvider('moved-away');
      const moved = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${id}`, headers: asTeam(team.admin), payload: { base_url: attacker.url } });
      expect(moved.statusCode).toBe(200);
      expect(moved.json()).toMatchObject({ base_url: attacker.url, has_secret: false });
      const before = attacker.requests.length;
      expect(await chat('moved-away/gpt-4o-mini')).toBe(200);
      const seen = attacker.requests.slice(before);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.headers.authorization).toBeUndefined();
      expect(JSON.stringify(attacker.requests)).not.toContain(STORED_SECRET);

      const audit = await f.gw.app.inject({ url: '/admin/audit', headers: asTeam(team.owner) });
      const event = audit.json().events.find((e: { action: string; target_id: string }) => e.action === 'provider.updated' && e.target_id === id);
      expect(event.data).toMatchObject({ fields: ['base_url'], secret_dropped: true, origin: { from: new URL(f.mock.url).origin, to: new URL(attacker.url).origin } });
    });

    it('keeps the secret on a same-origin path change, and takes a new secret sent with the move', async () => {
      const id = await teamProvider('moved-with-key');
      const path = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${id}`, headers: asTeam(team.admin), payload: { base_url: `${f.mock.url}/` } });
      expect(path.json()).toMatchObject({ has_secret: true });
      const moved = await f.gw.app.inject({ method: 'PATCH', url: `/admin/providers/${id}`, headers: asTeam(team.owner), payload: { base_url: attacker.url, api_key: NEW_SECRET } });
      expect(moved.json()).toMatchObject({ base_url: attacker.url, has_secret: true });
      expect(await chat('moved-with-key/gpt-4o-mini')).toBe(200);
      expect(attacker.requests.at(-1)?.headers.authorization).toBe(`Bearer ${NEW_SECRET}`);
      expect(JSON.stringify(attacker.requests)).not.toContain(STORED_SECRET);
    });

    it("applies the same rule to an operator's server-wide provider", async () => {
      const operator = await signUp(f.gw.app);
      await f.gw.services.storage.users.setOperator(operator.userId, true, new Date().toISOString());
      const created = await f.gw.app.inject({ method: 'POST', url: '/api/v1/operator/providers', headers: operator.auth, payload: { name: 'server-wide', type: 'openai', base_url: f.mock.url, api_key: STORED_SECRET, models: ['gpt-4o-mini'] } });
      expect(created.statusCode).toBe(201);
      const alias = await f.gw.app.inject({ method: 'POST', url: '/api/v1/operator/aliases', headers: operator.auth, payload: { name: 'server-chat', targets: [{ provider: 'server-wide', model: 'gpt-4o-mini' }] } });
      expect(alias.statusCode).toBe(201);
      const moved = await f.gw.app.inject({ method: 'PATCH', url: `/api/v1/operator/providers/${created.json().id}`, headers: operator.auth, payload: { base_url: attacker.url } });
      expect(moved.json()).toMatchObject({ base_url: attacker.url, has_secret: false });
      const user = await signUp(f.gw.app);
      const key = await createKey(f.gw.app, user);
      const before = attacker.requests.length;
      expect(await chat('server-chat', key.key)).toBe(200);
      expect(attacker.requests.slice(before).map((r) => r.headers.authorization)).toEqual([undefined]);
      expect(JSON.stringify(attacker.requests)).not.toContain(STORED_SECRET);
    });
  });
}
