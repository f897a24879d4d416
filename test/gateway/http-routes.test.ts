// Plain HTTP routes (SPEC §1, §4): a configured path prefix is proxied to an `http` provider with
// the key checked like any data-plane request; the upstream never sees the key and learns who
// called from X-Tollgate-Account-Id / X-Tollgate-Key-Id; Tollgate's own errors use its envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey } from '../support/harness.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstream.js';

for (const target of databaseTargets()) {
  describe(`plain HTTP routes (${target.name})`, () => {
    let f: GatewayFixture;
    let ephemeris: HttpUpstream;
    let accountId: string;
    beforeAll(async () => {
      ephemeris = await startHttpUpstream();
      f = await startGatewayFixture({
        target,
        keyBody: { scopes: ['positions'] },
        config: {
          providers: [{ id: 'ephemeris', type: 'http', base_url: ephemeris.url }],
          routes: [
            { path: '/v1/positions', provider: 'ephemeris', methods: ['GET'], cost: 1, scopes: ['positions'] },
            { path: '/v1/orbits', provider: 'ephemeris', methods: ['POST'] },
          ],
        },
      });
      accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      await f.gw.services.credits.ledger.grant({ accountId, amount: 1000, reason: 'test', actorId: null, requestId: null });
    });
    afterAll(async () => {
      await f?.close();
      await ephemeris?.close();
    });

    it('answers GET /v1/positions?datetime=… with X-API-Key, and the upstream never sees the key', async () => {
      const response = await f.gw.app.inject({ url: '/v1/positions?datetime=2024-03-20T12:00:00Z&body=mars', headers: { 'x-api-key': f.key, accept: 'application/json' } });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ ok: true, method: 'GET', path: '/v1/positions?datetime=2024-03-20T12:00:00Z&body=mars', body: '' });
      expect(response.headers['x-upstream']).toBe('ephemeris');
      const seen = ephemeris.requests.at(-1)!;
      expect(seen.headers['x-tollgate-account-id']).toBe(accountId);
      expect(seen.headers['x-tollgate-key-id']).toBe(f.keyId);
      expect(seen.headers['x-api-key']).toBeUndefined();
      expect(seen.headers.authorization).toBeUndefined();
      expect(JSON.stringify(seen)).not.toContain(f.key);
    });

    it('strips a key sent as Authorization: Bearer too, and sub-paths of the prefix match', async () => {
      const response = await f.gw.app.inject({ url: '/v1/positions/mars?datetime=now', headers: { authorization: `Bearer ${f.key}` } });
      expect(response.statusCode).toBe(200);
      expect(JSON.stringify(ephemeris.requests.at(-1))).not.toContain(f.key);
    });

    it('passes the upstream status and body through untouched', async () => {
      const response = await f.gw.app.inject({ url: '/v1/positions/missing', headers: { 'x-api-key': f.key } });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ detail: 'no such body' });
    });

    it('does not follow redirects, nor reveal the upstream address in Location', async () => {
      const response = await f.gw.app.inject({ url: '/v1/positions/moved', headers: { 'x-api-key': f.key } });
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe('/v1/positions/elsewhere');
    });

    it('drops the Location of a redirect to another origin or outside the route, and maps one inside it', async () => {
      const redirect = (to: string) => f.gw.app.inject({ url: `/v1/positions/redirect?to=${encodeURIComponent(to)}`, headers: { 'x-api-key': f.key } });
      for (const to of ['http://169.254.169.254/latest/meta-data/', '//10.0.0.5/admin', `http://127.0.0.1:${Number(new URL(ephemeris.url).port) + 1}/v1/positions/x`, '/internal/admin', '/v1/positions/../../internal', '/v1/orbits']) {
        const response = await redirect(to);
        expect(response.statusCode, to).toBe(302);
        expect(response.headers.location, to).toBeUndefined();
      }
      expect((await redirect(`${ephemeris.url}/v1/positions/elsewhere?x=1`)).headers.location).toBe('/v1/positions/elsewhere?x=1');
      expect((await redirect('sibling')).headers.location).toBe('/v1/positions/sibling');
    });

    it('drops client headers that rewrite the method, the URL or the forwarding chain, and sets the forwarding headers itself', async () => {
      const spoofed = {
        'x-http-method-override': 'DELETE', 'x-http-method': 'DELETE', 'x-method-override': 'DELETE', 'x-original-method': 'DELETE',
        'x-original-url': '/admin', 'x-rewrite-url': '/admin', 'x-forwarded-prefix': '/admin', 'x-forwarded-path': '/admin', 'x-forwarded-uri': '/admin',
        forwarded: 'for=10.0.0.1;host=internal;proto=https', 'x-forwarded-for': '10.0.0.1', 'x-forwarded-host': 'internal', 'x-forwarded-proto': 'https',
        'x-forwarded-port': '8443', 'x-forwarded-server': 'internal', 'x-real-ip': '10.0.0.1', 'x-client-ip': '10.0.0.1', 'true-client-ip': '10.0.0.1', 'x-cluster-client-ip': '10.0.0.1',
      };
      const response = await f.gw.app.inject({ url: '/v1/positions?datetime=now', headers: { 'x-api-key': f.key, host: 'gateway.example', ...spoofed }, remoteAddress: '203.0.113.7' });
      expect(response.statusCode).toBe(200);
      const seen = ephemeris.requests.at(-1)!.headers;
      for (const name of Object.keys(spoofed).filter((n) => !n.startsWith('x-forwarded-'))) expect(seen[name], name).toBeUndefined();
      expect(seen).toMatchObject({ 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'gateway.example' });
      for (const name of ['x-forwarded-prefix', 'x-forwarded-path', 'x-forwarded-uri', 'x-forwarded-port', 'x-forwarded-server']) expect(seen[name], name).toBeUndefined();
    });

    it('passes a POST body through byte for byte', async () => {
      const response = await f.gw.app.inject({ method: 'POST', url: '/v1/orbits', headers: { 'x-api-key': f.key, 'content-type': 'text/csv' }, payload: 'a,b\n1,2\n' });
      expect(response.statusCode).toBe(200);
      expect(ephemeris.requests.at(-1)).toMatchObject({ method: 'POST', body: 'a,b\n1,2\n', headers: expect.objectContaining({ 'content-type': 'text/csv' }) });
    });

    it('charges the route cost per request, and refuses with 402 when the balance cannot cover it', async () => {
      // Requests settle when their body has been relayed, just after the response ends: wait for
      // earlier ones to settle before reading the balance.
      const settled = async () => (await f.gw.services.credits.ledger.balance(accountId)).reserved === 0;
      expect(await waitFor(settled)).toBe(true);
      const before = (await f.gw.services.credits.ledger.balance(accountId)).balance;
      expect((await f.gw.app.inject({ url: '/v1/positions?datetime=now', headers: { 'x-api-key': f.key } })).statusCode).toBe(200);
      expect(await waitFor(settled)).toBe(true);
      expect((await f.gw.services.credits.ledger.balance(accountId)).balance).toBe(before - 1);
      await f.gw.services.credits.ledger.grant({ accountId, amount: -(before - 1), reason: 'test', actorId: null, requestId: null });
      const broke = await f.gw.app.inject({ url: '/v1/positions?datetime=now', headers: { 'x-api-key': f.key } });
      expect(broke.statusCode).toBe(402);
      expect(broke.json().errors[0].code).toBe('insufficient_credits');
      await f.gw.services.credits.ledger.grant({ accountId, amount: 1000, reason: 'test', actorId: null, requestId: null });
    });

    it("refuses a key without the route's scope with 403 in Tollgate's envelope", async () => {
      const unscoped = await createKey(f.gw.app, f.user);
      const response = await f.gw.app.inject({ url: '/v1/positions?datetime=now', headers: { 'x-api-key': unscoped.key } });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ errors: [{ code: 'forbidden' }], meta: { request_id: expect.any(String) } });
    });

    it('refuses a method the route does not allow with 405 and Allow', async () => {
      const response = await f.gw.app.inject({ method: 'DELETE', url: '/v1/positions', headers: { 'x-api-key': f.key } });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('GET');
    });

    it("refuses a missing or invalid key with 401 in Tollgate's envelope", async () => {
      const missing = await f.gw.app.inject({ url: '/v1/positions' });
      expect(missing.statusCode).toBe(401);
      expect(missing.json().errors[0].code).toBe('invalid_api_key');
      const forged = await f.gw.app.inject({ url: '/v1/positions', headers: { 'x-api-key': 'tg_live_nope' } });
      expect(forged.statusCode).toBe(401);
    });

    it("answers 404 for a path no route matches only once the key is valid (without one: 401, like any route's path)", async () => {
      for (const url of ['/v1/positionsx', '/nothing/here']) {
        const response = await f.gw.app.inject({ url, headers: { 'x-api-key': f.key } });
        expect(response.statusCode, url).toBe(404);
        expect(response.json().errors[0].code).toBe('not_found');
        expect((await f.gw.app.inject({ url })).statusCode, url).toBe(401);
      }
    });

    it('answers 502 in its own envelope when the upstream cannot be reached', async () => {
      await ephemeris.close();
      try {
        const response = await f.gw.app.inject({ url: '/v1/positions?datetime=now', headers: { 'x-api-key': f.key } });
        expect(response.statusCode).toBe(502);
        expect(response.json().errors[0].code).toBe('upstream_error');
        expect(response.body).not.toContain(ephemeris.url);
      } finally {
        ephemeris = await startHttpUpstream();
      }
    });
  });
}
