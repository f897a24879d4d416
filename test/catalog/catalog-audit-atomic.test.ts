// A catalog change and its audit entry are one transaction: when the audit entry cannot be
// written, the provider, alias or route change is not there either (issue 10 item 4).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

for (const target of databaseTargets()) {
  describe(`catalog writes and their audit entries commit together (${target.name})`, () => {
    let f: GatewayFixture;
    beforeAll(async () => {
      f = await startGatewayFixture({ target });
    });
    afterAll(async () => {
      await f?.close();
    });

    /** Runs `work` while the audit table is out of reach, so every audit insert fails. */
    async function withAuditBroken(work: () => Promise<void>): Promise<void> {
      const db = f.gw.services.database.db;
      await sql`ALTER TABLE audit_events RENAME TO audit_events_away`.execute(db);
      try {
        await work();
      } finally {
        await sql`ALTER TABLE audit_events_away RENAME TO audit_events`.execute(db);
      }
    }

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => f.gw.app.inject({ method, url, headers: f.user.auth, ...(payload ? { payload } : {}) });

    it('leaves providers, aliases and routes as they were when the audit entry fails', async () => {
      const provider = (await call('POST', '/admin/providers', { name: 'kept', type: 'openai', base_url: 'https://8.8.8.8/v1' })).json();
      const web = (await call('POST', '/admin/providers', { name: 'web', type: 'http', base_url: 'https://8.8.4.4' })).json();
      const alias = (await call('POST', '/admin/aliases', { name: 'kept-alias', targets: [{ provider: 'kept', model: 'm1' }] })).json();
      const route = (await call('POST', '/admin/routes', { path: '/partner', provider: 'web', cost: 1 })).json();
      expect([provider.id, web.id, alias.id, route.id].every((id) => typeof id === 'string')).toBe(true);

      await withAuditBroken(async () => {
        expect((await call('POST', '/admin/providers', { name: 'lost', type: 'openai', base_url: 'https://1.1.1.1/v1' })).statusCode).toBe(500);
        expect((await call('PATCH', `/admin/providers/${provider.id}`, { models: ['changed'] })).statusCode).toBe(500);
        expect((await call('POST', '/admin/aliases', { name: 'lost-alias', targets: [{ provider: 'kept', model: 'm' }] })).statusCode).toBe(500);
        expect((await call('PATCH', `/admin/aliases/${alias.id}`, { targets: [{ provider: 'kept', model: 'm2' }] })).statusCode).toBe(500);
        expect((await call('POST', '/admin/routes', { path: '/lost', provider: 'web' })).statusCode).toBe(500);
        expect((await call('PATCH', `/admin/routes/${route.id}`, { cost: 9 })).statusCode).toBe(500);
        expect((await call('DELETE', `/admin/routes/${route.id}`)).statusCode).toBe(500);
        expect((await call('DELETE', `/admin/aliases/${alias.id}`)).statusCode).toBe(500);
        expect((await call('DELETE', `/admin/providers/${web.id}`)).statusCode).toBe(409); // still used by the route
        expect((await call('DELETE', `/admin/providers/${provider.id}`)).statusCode).toBe(500);
      });

      expect((await call('GET', '/admin/providers')).json().providers).toEqual([provider, web]);
      expect((await call('GET', '/admin/aliases')).json().aliases).toEqual([alias]);
      expect((await call('GET', '/admin/routes')).json().routes).toEqual([route]);
      const audit = await f.gw.services.storage.audit.listByAccount(provider.account_id, { limit: 50 });
      expect(audit.events.filter((e) => /^(provider|alias|route)\./.test(e.action)).map((e) => e.action).sort()).toEqual(['alias.created', 'provider.created', 'provider.created', 'route.created']);
    });
  });
}
