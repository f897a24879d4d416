// Webhook endpoints (SPEC §9) on both planes: the signing secret shown once, strict bodies, another
// account's webhook a 404, members refused, and receivers on private addresses refused when saved
// and again when delivering (the upstream rules of SPEC §7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { bearer, createServiceToken, teamWithRoles } from '../support/accounts-fixtures.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const PUBLIC_URL = 'https://93.184.215.14/hooks/';

for (const target of databaseTargets()) {
  describe(`webhook endpoints on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    async function create(url: string, headers: Record<string, string>, payload: object) {
      const response = await gw.app.inject({ method: 'POST', url, headers, payload });
      if (response.statusCode === 201) rememberSecret(response.json().secret);
      return response;
    }

    it('shows the signing secret once, on create, and never in reads or updates', async () => {
      const team = await teamWithRoles(gw.app);
      const created = await create(`/api/v1/accounts/${team.accountId}/webhooks`, team.admin.auth, { url: PUBLIC_URL, events: ['key.created', 'credits.low'], threshold: 500, description: 'billing' });
      expect(created.statusCode, created.body).toBe(201);
      const body = created.json();
      expect(body).toEqual({ id: expect.stringMatching(/^whk_/), url: PUBLIC_URL, events: ['key.created', 'credits.low'], threshold: 500, description: 'billing', created_at: expect.any(String), updated_at: expect.any(String), secret: expect.stringMatching(/^whsec_/) });
      expect(Buffer.from(body.secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);

      const svc = await createServiceToken(gw.app, team.owner, team.accountId);
      const reads = [
        await gw.app.inject({ url: `/api/v1/accounts/${team.accountId}/webhooks`, headers: team.owner.auth }),
        await gw.app.inject({ url: `/api/v1/accounts/${team.accountId}/webhooks/${body.id}`, headers: team.owner.auth }),
        await gw.app.inject({ url: '/admin/webhooks', headers: bearer(svc.token) }),
        await gw.app.inject({ url: `/admin/webhooks/${body.id}`, headers: bearer(svc.token) }),
        await gw.app.inject({ method: 'PATCH', url: `/admin/webhooks/${body.id}`, headers: bearer(svc.token), payload: { description: null, events: ['key.revoked'] } }),
      ];
      for (const read of reads) {
        expect(read.statusCode).toBe(200);
        expect(read.body).not.toContain(body.secret);
        expect(read.body).not.toContain('secret');
      }
      expect(reads[2]!.json().webhooks).toEqual([expect.objectContaining({ id: body.id, url: PUBLIC_URL })]);
      expect(reads[4]!.json()).toMatchObject({ id: body.id, events: ['key.revoked'], description: null, threshold: 500 });

      const deleted = await gw.app.inject({ method: 'DELETE', url: `/admin/webhooks/${body.id}`, headers: bearer(svc.token) });
      expect(deleted.statusCode).toBe(204);
      expect((await gw.app.inject({ url: `/admin/webhooks/${body.id}`, headers: bearer(svc.token) })).statusCode).toBe(404);
    });

    it('refuses bodies that are not exactly right with 422 naming the field', async () => {
      const user = await signUp(gw.app);
      const cases: Array<[object, string]> = [
        [{ url: PUBLIC_URL, events: ['key.created'], secret: 'whsec_mine' }, 'secret'],
        [{ url: PUBLIC_URL, events: [] }, 'events'],
        [{ url: PUBLIC_URL, events: ['key.created', 'key.created'] }, 'events'],
        [{ url: PUBLIC_URL, events: ['key.exploded'] }, 'events'],
        [{ url: 42, events: ['key.created'] }, 'url'],
        [{ url: PUBLIC_URL, events: ['credits.low'], threshold: '10' }, 'threshold'],
        [{ url: PUBLIC_URL, events: ['credits.low'] }, 'threshold'],
        [{ events: ['key.created'] }, 'url'],
        [{ url: 'ftp://93.184.215.14/x', events: ['key.created'] }, 'url'],
      ];
      for (const [payload, field] of cases) {
        const response = await create('/admin/webhooks', user.auth, payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(422);
        expect(response.json().errors.map((e: { field?: string }) => e.field).join(' '), JSON.stringify(payload)).toContain(field);
      }
      const created = (await create('/admin/webhooks', user.auth, { url: PUBLIC_URL, events: ['key.created'] })).json();
      const patched = await gw.app.inject({ method: 'PATCH', url: `/admin/webhooks/${created.id}`, headers: user.auth, payload: { url: PUBLIC_URL, enabled: false } });
      expect(patched.statusCode).toBe(422);
    });

    it("answers 404 for another account's webhook on every route, and refuses members", async () => {
      const team = await teamWithRoles(gw.app);
      const stranger = await signUp(gw.app);
      const hook = (await create(`/api/v1/accounts/${team.accountId}/webhooks`, team.owner.auth, { url: PUBLIC_URL, events: ['key.created'] })).json();
      const strangerRoutes = [
        { method: 'GET' as const, url: `/admin/webhooks/${hook.id}` },
        { method: 'PATCH' as const, url: `/admin/webhooks/${hook.id}`, payload: { description: 'mine' } },
        { method: 'DELETE' as const, url: `/admin/webhooks/${hook.id}` },
        { method: 'GET' as const, url: `/admin/webhooks/${hook.id}/deliveries` },
        { method: 'POST' as const, url: `/admin/webhooks/${hook.id}/deliveries/msg_x/retry` },
      ];
      for (const route of strangerRoutes) {
        expect((await gw.app.inject({ ...route, headers: stranger.auth })).statusCode, route.url).toBe(404);
      }
      // The stranger's own account route with the team's webhook id: still not theirs.
      const personal = (await gw.app.inject({ url: '/api/v1/accounts', headers: stranger.auth })).json().accounts[0].id;
      expect((await gw.app.inject({ url: `/api/v1/accounts/${personal}/webhooks/${hook.id}`, headers: stranger.auth })).statusCode).toBe(404);
      expect((await gw.app.inject({ url: `/api/v1/accounts/${team.accountId}/webhooks`, headers: stranger.auth })).statusCode).toBe(404);

      const asMember = { ...team.member.auth, 'x-account-id': team.accountId };
      expect((await gw.app.inject({ url: '/admin/webhooks', headers: asMember })).statusCode).toBe(403);
      expect((await create('/admin/webhooks', asMember, { url: PUBLIC_URL, events: ['key.created'] })).statusCode).toBe(403);
      expect((await gw.app.inject({ url: `/api/v1/accounts/${team.accountId}/webhooks`, headers: team.member.auth })).statusCode).toBe(403);
      expect((await gw.app.inject({ method: 'DELETE', url: `/api/v1/accounts/${team.accountId}/webhooks/${hook.id}`, headers: team.member.auth })).statusCode).toBe(403);
      // API keys never manage webhooks.
      const key = await createKey(gw.app, team.owner);
      expect((await gw.app.inject({ url: '/admin/webhooks', headers: bearer(key.key) })).statusCode).toBe(403);
    });

    it('refuses receivers on loopback, private and metadata addresses, when saved and when delivering', async () => {
      const user = await signUp(gw.app);
      for (const url of ['http://127.0.0.1:9/hooks', 'http://localhost/hooks', 'http://169.254.169.254/latest', 'http://10.0.0.8/x', 'http://[::1]/x']) {
        const response = await create('/admin/webhooks', user.auth, { url, events: ['key.created'] });
        expect(response.statusCode, url).toBe(422);
        expect(response.json().errors[0].field).toBe('url');
      }
      // An address that turned private after it was saved is refused at delivery time too.
      const receiver = await startWebhookReceiver();
      try {
        const hook = (await create('/admin/webhooks', user.auth, { url: PUBLIC_URL, events: ['key.created'] })).json();
        await gw.services.storage.webhookEndpoints.update(hook.id, { url: receiver.url }, new Date().toISOString());
        await createKey(gw.app, user);
        await gw.services.webhooks.worker.tick();
        expect(receiver.received).toHaveLength(0);
        const [delivery] = (await gw.app.inject({ url: `/admin/webhooks/${hook.id}/deliveries`, headers: user.auth })).json().deliveries;
        expect(delivery).toMatchObject({ attempt: 1, status: 'pending', response_status: null });
      } finally {
        await receiver.close();
      }
    });
  });
}
