// TOLLGATE_TRUST_PROXY (SPEC §7, issue 9 item 8): X-Forwarded-For is believed only from trusted
// proxies, so the per-address sign-in bucket is the client's behind a load balancer and cannot be
// dodged by a spoofed header without one. Real sockets: trust depends on the peer address.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

const PER_ADDRESS = 5;

describe('trusted proxies', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  async function start(trustProxy?: string) {
    gw = await startTestGateway({
      env: trustProxy === undefined ? {} : { TOLLGATE_TRUST_PROXY: trustProxy },
      throttles: { loginPerAddress: { max: PER_ADDRESS, windowMs: 15 * 60_000 } },
    });
    const origin = await gw.app.listen({ host: '127.0.0.1', port: 0 });
    let n = 0;
    return async function badLogin(forwardedFor: string): Promise<number> {
      const response = await fetch(`${origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        // A new email every time: only the per-address bucket can fill up.
        body: JSON.stringify({ email: `nobody-${++n}@example.com`, password: 'not-a-real-password' }),
      });
      await response.arrayBuffer();
      return response.status;
    };
  }

  async function fill(badLogin: (xff: string) => Promise<number>, xff: (i: number) => string) {
    const statuses = [];
    for (let i = 0; i < PER_ADDRESS; i++) statuses.push(await badLogin(xff(i)));
    expect(statuses).toEqual(Array(PER_ADDRESS).fill(401));
  }

  it('ignores a spoofed X-Forwarded-For without the setting: every guess lands in one bucket', async () => {
    const badLogin = await start();
    await fill(badLogin, (i) => `198.51.100.${i + 1}`);
    expect(await badLogin('198.51.100.200')).toBe(429);
  });

  it.each([['a hop count', '1'], ['a CIDR list covering the proxy', '10.0.0.0/8, 127.0.0.1/32']])(
    'gives each client behind a trusted proxy its own bucket (%s)',
    async (_what, setting) => {
      const badLogin = await start(setting);
      await fill(badLogin, () => '203.0.113.5');
      expect(await badLogin('203.0.113.5')).toBe(429);
      expect(await badLogin('203.0.113.6')).toBe(401);
    },
  );

  it('ignores X-Forwarded-For from a peer outside the trusted CIDRs', async () => {
    const badLogin = await start('10.0.0.0/8');
    await fill(badLogin, (i) => `203.0.113.${i + 1}`);
    expect(await badLogin('203.0.113.200')).toBe(429);
  });
});

describe('the TOLLGATE_TRUST_PROXY setting', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tollgate-trust-'));

  it.each([['true'], ['yes'], ['-1'], ['33'], ['10.0.0.0/33'], ['10.0.0.1, nonsense'], ['fd00::/129'], ['10.0.0.0/8/1'], ['10.0.0.0/08x']])(
    'stops start-up on %j with a message naming the variable',
    (value) => {
      expect(() => loadConfig({ TOLLGATE_TRUST_PROXY: value }, cwd)).toThrow(ConfigError);
      expect(() => loadConfig({ TOLLGATE_TRUST_PROXY: value }, cwd)).toThrow(/TOLLGATE_TRUST_PROXY/);
    },
  );

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['0', undefined],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.7 ,fd00::/8', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
  ])('reads %j as %j', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TOLLGATE_TRUST_PROXY: value }, cwd).trustProxy).toEqual(expected);
  });
});
