// A key's allowed_ips and metadata (SPEC §8 "More key settings") on both planes that mint keys:
// personal keys (/api/v1/auth/keys) and org keys (/admin/keys). Every read shows them (`[]` and
// `{}` by default), a patch replaces them whole (`[]`/`{}` clear), entries are written back
// canonical, a patch takes effect on the very next request (the key cache is dropped), and the
// audit entry records the new values. What is refused is in key-settings-validation.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

for (const target of databaseTargets()) {
  describe(`key settings allowed_ips and metadata on ${target.name}`, () => {
    let gw: TestGateway;
    let user: SignedIn;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
      user = await signUp(gw.app);
    });
    afterAll(() => gw?.close());

    const get = (url: string, headers: Record<string, string> = user.auth) => gw.app.inject({ url, headers });
    const patch = (url: string, payload: object) => gw.app.inject({ method: 'PATCH', url, headers: user.auth, payload });
    /** Through a self-service route that takes the key, from inject's address 127.0.0.1. */
    const keyStatus = async (key: string) => (await get('/api/v1/automation/settings', { authorization: `Bearer ${key}` })).statusCode;

    it('shows no address rule and no metadata by default on every read, personal and org', async () => {
      const personal = await createKey(gw.app, user);
      expect(personal).toMatchObject({ allowed_ips: [], metadata: {} });
      expect((await get(`/api/v1/auth/keys/${personal.id}`)).json()).toMatchObject({ allowed_ips: [], metadata: {} });
      expect((await get('/api/v1/auth/keys')).json()[0]).toMatchObject({ allowed_ips: [], metadata: {} });

      const org = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: user.auth, payload: { name: 'org' } });
      rememberSecret(org.json().secret);
      expect(org.json().key).toMatchObject({ allowed_ips: [], metadata: {} });
      expect((await get(`/admin/keys/${org.json().key.id}`)).json()).toMatchObject({ allowed_ips: [], metadata: {} });
      expect((await get('/admin/keys')).json().keys[0]).toMatchObject({ allowed_ips: [], metadata: {} });
    });

    it('keeps both through create, get, list and rotation, writing addresses in canonical form', async () => {
      const settings = { allowed_ips: ['10.0.0.0/8', '2001:DB8::/32', '192.0.2.7', '10.0.0.0/8'], metadata: { plan: 'pro', 'Customer-Id': 'c_42', note: 'Café, 50%' } };
      const expected = { allowed_ips: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7/32'], metadata: settings.metadata };
      const created = await createKey(gw.app, user, settings);
      expect(created).toMatchObject(expected);
      expect((await get(`/api/v1/auth/keys/${created.id}`)).json()).toMatchObject(expected);
      expect((await get('/api/v1/auth/keys')).json().find((k: { id: string }) => k.id === created.id)).toMatchObject(expected);
      const rotated = await gw.app.inject({ method: 'POST', url: `/api/v1/auth/keys/${created.id}/rotate`, headers: user.auth, payload: {} });
      rememberSecret(rotated.json().key);
      expect(rotated.json()).toMatchObject(expected);

      const org = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: user.auth, payload: { name: 'org', ...settings } });
      rememberSecret(org.json().secret);
      expect(org.json().key).toMatchObject(expected);
      expect((await get(`/admin/keys/${org.json().key.id}`)).json()).toMatchObject(expected);
    });

    it('replaces both whole on a patch, [] and {} clearing them, on both planes', async () => {
      const personal = await createKey(gw.app, user, { allowed_ips: ['10.0.0.0/8'], metadata: { plan: 'pro', team: 'a' } });
      const url = `/api/v1/auth/keys/${personal.id}`;
      expect((await patch(url, { metadata: { plan: 'free' } })).json()).toMatchObject({ allowed_ips: ['10.0.0.0/8'], metadata: { plan: 'free' } });
      expect((await patch(url, { allowed_ips: [], metadata: {} })).json()).toMatchObject({ allowed_ips: [], metadata: {} });

      const org = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: user.auth, payload: { name: 'org', metadata: { plan: 'pro' } } });
      rememberSecret(org.json().secret);
      const orgUrl = `/admin/keys/${org.json().key.id}`;
      const patched = await patch(orgUrl, { allowed_ips: ['::1'], metadata: { plan: 'team' } });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ id: org.json().key.id, allowed_ips: ['::1/128'], metadata: { plan: 'team' } });
      expect((await patch(orgUrl, { allowed_ips: [], metadata: {} })).json()).toMatchObject({ allowed_ips: [], metadata: {} });
    });

    it("answers 404 for another account's org key", async () => {
      const stranger = await signUp(gw.app);
      const org = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: stranger.auth, payload: { name: 'theirs' } });
      rememberSecret(org.json().secret);
      expect((await get(`/admin/keys/${org.json().key.id}`)).statusCode).toBe(404);
      expect((await patch(`/admin/keys/${org.json().key.id}`, { metadata: { x: 'y' } })).statusCode).toBe(404);
    });

    it('applies a patch of allowed_ips on the next request, though the key was cached', async () => {
      const created = await createKey(gw.app, user);
      expect(await keyStatus(created.key)).toBe(200);
      await patch(`/api/v1/auth/keys/${created.id}`, { allowed_ips: ['10.0.0.0/8'] });
      const refused = await get('/api/v1/automation/settings', { authorization: `Bearer ${created.key}` });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().errors[0]).toMatchObject({ code: 'ip_not_allowed', message: 'This key may not be used from 127.0.0.1.' });
      await patch(`/api/v1/auth/keys/${created.id}`, { allowed_ips: ['10.0.0.0/8', '127.0.0.1'] });
      expect(await keyStatus(created.key)).toBe(200);
    });

    it('records the new list and metadata in the patch audit entries, never the key', async () => {
      const created = await createKey(gw.app, user);
      await patch(`/api/v1/auth/keys/${created.id}`, { allowed_ips: ['10.0.0.0/8'], metadata: { plan: 'pro' } });
      const org = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: user.auth, payload: { name: 'org' } });
      rememberSecret(org.json().secret);
      await patch(`/admin/keys/${org.json().key.id}`, { metadata: { plan: 'team' } });
      const accountId = (await gw.services.storage.accounts.findPersonal(user.userId))!.id;
      const { events } = await gw.services.storage.audit.listByAccount(accountId, { limit: 50 });
      const personalEntry = events.find((e) => e.action === 'key.updated' && e.targetId === created.id);
      expect(personalEntry?.data).toEqual({ fields: ['allowed_ips', 'metadata'], allowed_ips: ['10.0.0.0/8'], metadata: { plan: 'pro' } });
      const orgEntry = events.find((e) => e.action === 'org_key.updated' && e.targetId === org.json().key.id);
      expect(orgEntry?.data).toEqual({ fields: ['metadata'], metadata: { plan: 'team' } });
      expect(JSON.stringify(events)).not.toContain(created.key);
      expect(JSON.stringify(events)).not.toContain(org.json().secret);
    });
  });
}
