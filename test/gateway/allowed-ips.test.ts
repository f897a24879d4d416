// A key's allowed_ips on the data plane (SPEC §8, step 5 "origin and IP" of SPEC §4), over real
// sockets because the client address is the connection's: a key limited to 10.0.0.0/8 is refused
// from loopback with 403 ip_not_allowed in OpenAI's shape, a list naming 127.0.0.1 or ::1 lets the
// matching family in (an IPv4 client of a dual-stack socket arrives as ::ffff:127.0.0.1 and still
// matches), and X-Forwarded-For counts only when TOLLGATE_TRUST_PROXY trusts the peer.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey } from '../support/harness.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

const body = JSON.stringify({ model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] });

async function chat(base: string, key: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { error?: Record<string, unknown> } }> {
  const response = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, json: (await response.json()) as { error?: Record<string, unknown> } };
}

for (const target of databaseTargets()) {
  describe(`allowed_ips on the data plane, no trusted proxy (${target.name})`, () => {
    let f: GatewayFixture;
    let v4: string;
    let v6: string;
    const keys: Record<string, string> = {};
    beforeAll(async () => {
      f = await startGatewayFixture({ target });
      // Dual stack: IPv4 clients arrive as ::ffff:127.0.0.1, IPv6 ones as ::1.
      await f.gw.app.listen({ host: '::', port: 0 });
      const { port } = f.gw.app.server.address() as AddressInfo;
      v4 = f.baseUrl = `http://127.0.0.1:${port}`;
      v6 = `http://[::1]:${port}`;
      for (const [name, allowed_ips] of Object.entries({ private: ['10.0.0.0/8'], loopback4: ['10.0.0.0/8', '127.0.0.1'], loopback6: ['::1'], loopbackBlock: ['127.0.0.0/8'] })) {
        keys[name] = (await createKey(f.gw.app, f.user, { allowed_ips })).key;
      }
    });
    afterAll(async () => {
      await f?.close();
    });

    it('refuses a key limited to 10.0.0.0/8 from 127.0.0.1 with 403 ip_not_allowed, in OpenAI shape', async () => {
      const refused = await chat(v4, keys.private!);
      expect(refused.status).toBe(403);
      expect(refused.json.error).toMatchObject({ code: 'ip_not_allowed', type: 'invalid_request_error' });
      expect(refused.json.error?.message).toContain('127.0.0.1');
      expect((await chat(v6, keys.private!)).status).toBe(403);
    });

    it('lets a key whose list names 127.0.0.1 in over IPv4 (a mapped ::ffff:127.0.0.1 peer), and not over IPv6', async () => {
      expect((await chat(v4, keys.loopback4!)).status).toBe(200);
      expect((await chat(v4, keys.loopbackBlock!)).status).toBe(200);
      expect((await chat(v6, keys.loopback4!)).status).toBe(403);
    });

    it('lets a key whose list names ::1 in over IPv6, and not over IPv4', async () => {
      expect((await chat(v6, keys.loopback6!)).status).toBe(200);
      expect((await chat(v4, keys.loopback6!)).status).toBe(403);
    });

    it('ignores a spoofed X-Forwarded-For when no proxy is trusted', async () => {
      const spoofed = await chat(v4, keys.private!, { 'x-forwarded-for': '10.1.2.3' });
      expect(spoofed.status).toBe(403);
      expect(spoofed.json.error?.code).toBe('ip_not_allowed');
    });

    it('lets a key without allowed_ips in from anywhere', async () => {
      expect((await chat(v4, f.key, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
      expect((await chat(v6, f.key)).status).toBe(200);
    });
  });

  describe(`allowed_ips on the data plane behind a trusted proxy (${target.name})`, () => {
    let f: GatewayFixture;
    let base: string;
    let privateKey: string;
    beforeAll(async () => {
      f = await startGatewayFixture({ target, env: { TOLLGATE_TRUST_PROXY: '127.0.0.1/32' } });
      base = await f.listen();
      privateKey = (await createKey(f.gw.app, f.user, { allowed_ips: ['10.0.0.0/8'] })).key;
    });
    afterAll(async () => {
      await f?.close();
    });

    it('believes the client X-Forwarded-For names when the peer is a trusted proxy', async () => {
      expect((await chat(base, privateKey, { 'x-forwarded-for': '10.1.2.3' })).status).toBe(200);
      expect((await chat(base, privateKey, { 'x-forwarded-for': '10.1.2.3, 127.0.0.1' })).status).toBe(200);
    });

    it('still refuses a client outside the list, and the proxy itself when it names no client', async () => {
      const outside = await chat(base, privateKey, { 'x-forwarded-for': '192.0.2.1' });
      expect(outside.status).toBe(403);
      expect(outside.json.error?.message).toContain('192.0.2.1');
      // A client cannot hide behind an untrusted hop: the rightmost untrusted address is the client.
      expect((await chat(base, privateKey, { 'x-forwarded-for': '10.1.2.3, 192.0.2.1' })).status).toBe(403);
      expect((await chat(base, privateKey)).status).toBe(403);
    });
  });
}
