// Key events on webhooks (SPEC §9): key.created, key.rotated and key.revoked from every path that
// makes them (personal keys, org keys of the admin plane), and key.expiring 7 days and 1 day before
// a key expires, each once, driven by the injected clock.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { bearer, createServiceToken, teamWithRoles } from '../support/accounts-fixtures.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const DAY_MS = 24 * 3_600_000;
const ALL_KEY_EVENTS = ['key.created', 'key.revoked', 'key.rotated', 'key.expiring'];

for (const target of databaseTargets()) {
  describe(`key events on ${target.name}`, () => {
    let nowMs = Date.now();
    let gw: TestGateway;
    let hooks: WebhookReceiver;
    beforeAll(async () => {
      gw = await startTestGateway({ target, clock: () => new Date(nowMs), env: { TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'true' } });
    });
    afterAll(() => gw?.close());
    // One receiver per test: each verifies under its own webhook's secret.
    beforeEach(async () => {
      hooks = await startWebhookReceiver();
    });
    afterEach(() => hooks.close());

    async function subscribe(headers: Record<string, string>, events = ALL_KEY_EVENTS): Promise<string> {
      const response = await gw.app.inject({ method: 'POST', url: '/admin/webhooks', headers, payload: { url: hooks.url, events } });
      expect(response.statusCode, response.body).toBe(201);
      rememberSecret(response.json().secret);
      return response.json().secret;
    }

    /** Runs the worker and returns the verified events of `accountId` received so far. */
    async function eventsOf(secret: string, accountId: string) {
      await gw.services.webhooks.worker.tick();
      return hooks.verified(secret).map((v) => v.event).filter((e) => e.account_id === accountId);
    }

    async function personalAccount(user: SignedIn): Promise<string> {
      return (await gw.services.storage.accounts.findPersonal(user.userId))!.id;
    }

    it('announces personal keys created, rotated and revoked, with the key but never its secret', async () => {
      const user = await signUp(gw.app);
      const secret = await subscribe(user.auth);
      const accountId = await personalAccount(user);
      const key = await createKey(gw.app, user, { name: 'ci' });
      const rotated = await gw.app.inject({ method: 'POST', url: `/api/v1/auth/keys/${key.id}/rotate`, headers: user.auth, payload: {} });
      expect(rotated.statusCode).toBe(201);
      const successor = rotated.json();
      rememberSecret(successor.key);
      expect((await gw.app.inject({ method: 'DELETE', url: `/api/v1/auth/keys/${successor.id}`, headers: user.auth })).statusCode).toBe(204);
      // Revoking twice announces once.
      expect((await gw.app.inject({ method: 'DELETE', url: `/api/v1/auth/keys/${successor.id}`, headers: user.auth })).statusCode).toBe(204);

      // Deliveries run in parallel, so arrival order is not event order: read them by type.
      const received = await eventsOf(secret, accountId);
      expect(received.map((e) => e.type).sort()).toEqual(['key.created', 'key.revoked', 'key.rotated']);
      const events = ['key.created', 'key.rotated', 'key.revoked'].map((type) => received.find((e) => e.type === type)!);
      expect(events[0]).toEqual({
        id: expect.stringMatching(/^evt_/),
        type: 'key.created',
        created_at: expect.any(String),
        account_id: accountId,
        data: { key_id: key.id, name: 'ci', key_prefix: key.key_prefix, kind: 'personal', environment: 'live', created_by: user.userId, expires_at: null },
      });
      expect(events[1]!.data).toMatchObject({ key_id: successor.id, rotated_from: key.id, key_prefix: successor.key_prefix });
      expect(events[2]!.data).toMatchObject({ key_id: successor.id, revoked_at: expect.any(String) });
      const bodies = hooks.received.map((r) => r.body).join('\n');
      expect(bodies).not.toContain(key.key);
      expect(bodies).not.toContain(successor.key);
    });

    it("announces the admin plane's org keys, minted and revoked by a service token", async () => {
      const team = await teamWithRoles(gw.app);
      const svc = await createServiceToken(gw.app, team.owner, team.accountId);
      const secret = await subscribe(bearer(svc.token), ['key.created', 'key.revoked']);
      const minted = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: bearer(svc.token), payload: { name: 'backoffice' } });
      rememberSecret(minted.json().secret);
      const id = minted.json().key.id;
      expect((await gw.app.inject({ method: 'DELETE', url: `/admin/keys/${id}`, headers: bearer(svc.token) })).statusCode).toBe(204);
      const events = await eventsOf(secret, team.accountId);
      expect(events.map((e) => [e.type, e.data.key_id, e.data.kind]).sort()).toEqual([
        ['key.created', id, 'org'],
        ['key.revoked', id, 'org'],
      ]);
    });

    it("announces the org keys a user minted for a team as revoked when that user deletes themselves", async () => {
      const team = await teamWithRoles(gw.app);
      const secret = await subscribe({ ...team.owner.auth, 'x-account-id': team.accountId }, ['key.revoked']);
      const minted = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: { ...team.admin.auth, 'x-account-id': team.accountId }, payload: { name: 'admin-made' } });
      rememberSecret(minted.json().secret);
      const gone = await gw.app.inject({ method: 'DELETE', url: '/api/v1/auth/register', headers: team.admin.auth, payload: { password: team.admin.password } });
      expect(gone.statusCode).toBe(204);
      const events = await eventsOf(secret, team.accountId);
      expect(events.map((e) => [e.type, e.data.key_id])).toEqual([['key.revoked', minted.json().key.id]]);
    });

    it('warns 7 days and 1 day before a key expires, each once', async () => {
      const user = await signUp(gw.app);
      const secret = await subscribe(user.auth, ['key.expiring']);
      const accountId = await personalAccount(user);
      const expiresAt = new Date(nowMs + 10 * DAY_MS).toISOString();
      const key = await createKey(gw.app, user, { name: 'short-lived', expires_at: expiresAt });
      const expiring = async () => (await eventsOf(secret, accountId)).filter((e) => e.type === 'key.expiring');

      expect(await expiring()).toEqual([]);
      nowMs += 3 * DAY_MS + 60_000; // 7 days minus a minute before expiry
      expect((await expiring()).map((e) => e.data)).toEqual([expect.objectContaining({ key_id: key.id, days: 7, expires_at: expiresAt })]);
      nowMs += 2 * DAY_MS;
      expect(await expiring()).toHaveLength(1);
      nowMs += 4 * DAY_MS; // a day minus a minute before expiry
      expect((await expiring()).map((e) => e.data.days)).toEqual([7, 1]);
      nowMs += 2 * 60_000; // past the scan interval: the scheduler looks again and sends nothing new
      expect((await expiring()).map((e) => e.data.days)).toEqual([7, 1]);
    });
  });
}
