// A key's allowed client addresses (SPEC §8): how entries are written back (canonical, bare address
// = one host, host bits refused with the two readings named) and how a client address matches,
// including IPv4-mapped IPv6 peers of a dual-stack socket.
import { describe, expect, it } from 'vitest';
import { compileAllowedIps, isIpAllowed, parseAllowedIp } from '../../src/core/ip-allowlist.js';

describe('parseAllowedIp', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3', '10.1.2.3/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::1', '::1/128'],
    ['0:0:0:0:0:0:0:1/128', '::1/128'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:db8:1:2:3:4:5:6/127', '2001:db8:1:2:3:4:5:6/127'],
    ['::ffff:127.0.0.1', '127.0.0.1/32'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['10.0.0.0/08', '10.0.0.0/8'],
  ])('writes %s as %s', (entry, cidr) => {
    expect(parseAllowedIp(entry)).toEqual({ ok: true, cidr });
  });

  it('refuses host bits set rather than guessing, naming the block and the one address', () => {
    const v4 = parseAllowedIp('10.1.2.3/8');
    expect(v4.ok).toBe(false);
    expect(!v4.ok && v4.problem).toContain('write 10.0.0.0/8 for the block or 10.1.2.3/32 for the one address');
    const v6 = parseAllowedIp('2001:db8::1/32');
    expect(!v6.ok && v6.problem).toContain('2001:db8::/32');
  });

  it.each(['', 'abc', '10.0.0.256', '10.0.0.0/33', '::/129', '10.0.0.0/-1', '10.0.0.0/8/1', '10.0.0.0/', 'fe80::1%eth0', ' 10.0.0.1', '010.0.0.1', '10.0.0.0/x'])(
    'refuses %j',
    (entry) => {
      expect(parseAllowedIp(entry).ok).toBe(false);
    },
  );
});

describe('isIpAllowed', () => {
  it('allows any address, or none, when the key has no list', () => {
    const none = compileAllowedIps([]);
    expect(none).toBeNull();
    expect(isIpAllowed(none, '203.0.113.9')).toBe(true);
    expect(isIpAllowed(none, undefined)).toBe(true);
  });

  it('matches IPv4 and IPv6 blocks and refuses everything else, including a missing address', () => {
    const list = compileAllowedIps(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7/32']);
    expect(isIpAllowed(list, '10.255.0.1')).toBe(true);
    expect(isIpAllowed(list, '192.0.2.7')).toBe(true);
    expect(isIpAllowed(list, '2001:db8:ffff::1')).toBe(true);
    expect(isIpAllowed(list, '11.0.0.1')).toBe(false);
    expect(isIpAllowed(list, '192.0.2.8')).toBe(false);
    expect(isIpAllowed(list, '2001:db9::1')).toBe(false);
    expect(isIpAllowed(list, undefined)).toBe(false);
    expect(isIpAllowed(list, 'not an address')).toBe(false);
  });

  it('matches an IPv4-mapped IPv6 peer (a dual-stack socket) against IPv4 blocks', () => {
    const loopback = compileAllowedIps(['127.0.0.0/8']);
    expect(isIpAllowed(loopback, '::ffff:127.0.0.1')).toBe(true);
    expect(isIpAllowed(loopback, '::ffff:10.0.0.1')).toBe(false);
    expect(isIpAllowed(loopback, '::1')).toBe(false);
    expect(isIpAllowed(compileAllowedIps(['::1/128']), '127.0.0.1')).toBe(false);
  });
});
