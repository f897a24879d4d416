// Issue 9 item 2: a plain HTTP route must never reach an upstream path outside
// `base_url + route.path`. The attacks go through a real socket, byte for byte: app.inject, fetch
// and undici resolve `..` and `%2e%2e` before Tollgate would see them, which hides the hole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstream.js';
import { rawHttp } from '../support/raw-http.js';

for (const target of databaseTargets()) {
  describe(`plain HTTP routes stay inside their prefix (${target.name})`, () => {
    let f: GatewayFixture;
    let ephemeris: HttpUpstream;
    beforeAll(async () => {
      ephemeris = await startHttpUpstream();
      f = await startGatewayFixture({
        target,
        keyBody: { scopes: ['positions'] },
        config: {
          // The provider's base URL has a path of its own: an escape may climb out of it too.
          providers: [{ id: 'ephemeris', type: 'http', base_url: `${ephemeris.url}/base`, api_key: 'sk-ephemeris-secret-0123456789' }],
          routes: [{ path: '/v1/positions', provider: 'ephemeris', methods: ['GET'], scopes: ['positions'] }],
        },
      });
      await f.listen();
    });
    afterAll(async () => {
      await f?.close();
      await ephemeris?.close();
    });

    const get = (path: string) => rawHttp(f.baseUrl, 'GET', path, { 'x-api-key': f.key });

    it('forwards a plain sub-path to base_url + route path + the rest, query included', async () => {
      const answer = await get('/v1/positions/mars/moons?at=now');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).path).toBe('/base/v1/positions/mars/moons?at=now');
    });

    it("maps a redirect inside base_url + route path back to the route's prefix, and drops one outside the base path", async () => {
      const redirect = (to: string) => get(`/v1/positions/redirect?to=${encodeURIComponent(to)}`);
      const inside = await redirect('/base/v1/positions/elsewhere?x=1');
      expect(inside.status).toBe(302);
      expect(inside.headers.location).toBe('/v1/positions/elsewhere?x=1');
      const outside = await redirect('/v1/positions/elsewhere');
      expect(outside.status).toBe(302);
      expect(outside.headers.location).toBeUndefined();
    });

    it.each([
      ['..', '/v1/positions/../secret'],
      ['%2e%2e', '/v1/positions/%2e%2e/secret'],
      ['%2E%2E', '/v1/positions/%2E%2E/secret'],
      ['.%2e', '/v1/positions/.%2e/secret'],
      ['a raw backslash', '/v1/positions/..\\secret'],
      ['an encoded backslash', '/v1/positions/..%5csecret'],
      ['an encoded slash', '/v1/positions/..%2fsecret'],
      ['enough %2e%2e/ to leave the base path', '/v1/positions/%2e%2e/%2e%2e/%2e%2e/admin'],
      ['a single dot', '/v1/positions/./mars'],
      ['an encoded NUL', '/v1/positions/mars%00.json'],
      ['an encoded line feed', '/v1/positions/mars%0a'],
      ['an empty segment', '/v1/positions//mars'],
      ['a double-encoded dot segment', '/v1/positions/%252e%252e/secret'],
      ['an encoded DEL', '/v1/positions/mars%7f'],
    ])('refuses a path that climbs out of its route with %s, before any upstream contact', async (_name, path) => {
      const before = ephemeris.requests.length;
      const answer = await get(path);
      expect(answer.status, path).toBe(400);
      expect(JSON.parse(answer.body).errors[0].code).toBe('invalid_request');
      expect(ephemeris.requests.length).toBe(before);
    });
  });
}
