// Issue 9 item 15: whether an account has a route at a path must not show to a caller without a
// valid key. The key is checked first on every path the catch-all serves (before the body is
// read), so a missing or bad key is 401 everywhere; a 404 comes only after a valid key, from that
// key's account's view; a CORS preflight answers alike on every path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp } from '../support/harness.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstream.js';

const HIDDEN = '/v1/hidden-ledger';
const NOWHERE = '/v1/no-route-here';

/** An answer without what differs from request to request. */
function comparable(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const { 'x-request-id': _id, date: _date, 'content-length': _length, ...headers } = response.headers;
  return { status: response.statusCode, headers, body: response.body.replace(/req_[A-Za-z0-9]+/g, 'req_*').replace(HIDDEN, NOWHERE) };
}

for (const target of databaseTargets()) {
  describe(`route prefixes do not leak to callers without a key (${target.name})`, () => {
    let f: GatewayFixture;
    let upstream: HttpUpstream;
    let otherKey: string;
    beforeAll(async () => {
      upstream = await startHttpUpstream();
      f = await startGatewayFixture({ target, env: { TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'on' } });
      const provider = await f.gw.app.inject({ method: 'POST', url: '/admin/providers', headers: f.user.auth, payload: { name: 'ledger', type: 'http', base_url: upstream.url } });
      expect(provider.statusCode).toBe(201);
      const route = await f.gw.app.inject({ method: 'POST', url: '/admin/routes', headers: f.user.auth, payload: { path: HIDDEN, provider: 'ledger', methods: ['GET', 'POST'] } });
      expect(route.statusCode).toBe(201);
      otherKey = (await createKey(f.gw.app, await signUp(f.gw.app))).key;
    });
    afterAll(async () => {
      await f?.close();
      await upstream?.close();
    });

    it("answers a caller without a valid key alike whether or not some account has a route there", async () => {
      const variants = [
        { method: 'GET' as const, headers: {} },
        { method: 'GET' as const, headers: { 'x-api-key': 'tg_live_nope' } },
        { method: 'POST' as const, headers: { 'content-type': 'application/json' }, payload: '{"not json' },
        { method: 'POST' as const, headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.alloc(2 * 1024 * 1024, 120) },
        { method: 'OPTIONS' as const, headers: { origin: 'https://page.example', 'access-control-request-method': 'GET' } },
      ];
      for (const variant of variants) {
        const hidden = await f.gw.app.inject({ ...variant, url: HIDDEN });
        const nowhere = await f.gw.app.inject({ ...variant, url: NOWHERE });
        expect(comparable(hidden), `${variant.method} ${JSON.stringify(variant.headers)}`).toEqual(comparable(nowhere));
        if (variant.method !== 'OPTIONS') expect(hidden.statusCode).toBe(401);
      }
      expect(upstream.requests).toHaveLength(0);
    });

    it("answers 404 only after a valid key, from that key's own account", async () => {
      expect((await f.gw.app.inject({ url: HIDDEN, headers: { 'x-api-key': otherKey } })).statusCode).toBe(404);
      expect((await f.gw.app.inject({ url: NOWHERE, headers: { 'x-api-key': otherKey } })).statusCode).toBe(404);
      expect((await f.gw.app.inject({ url: HIDDEN, headers: { 'x-api-key': f.key } })).statusCode).toBe(200);
      expect(upstream.requests).toHaveLength(1);
    });

    it("answers 404 without a key on unknown paths in Tollgate's own space, where no account can have a route", async () => {
      for (const url of ['/api/v1/nonexistent', '/admin/nonexistent', '/v1/chat/nonexistent']) {
        const response = await f.gw.app.inject({ url });
        expect(response.statusCode, url).toBe(404);
        expect(response.json().errors[0].code).toBe('not_found');
      }
    });
  });
}
