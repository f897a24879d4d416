// Issue 9 item 18: IPv6 forms that carry an IPv4 address must be judged by that IPv4 address:
// IPv4-compatible (::/96, deprecated by RFC 4291 §2.5.5.1, refused whole), IPv4-mapped
// (::ffff:0:0/96, RFC 4291 §2.5.5.2) in every textual form, IPv4-translated (::ffff:0:0:0/96,
// RFC 2765), NAT64 (64:ff9b::/96, RFC 6052), 6to4 (2002::/16, RFC 3056: v4 in bits 16–48) and
// Teredo (2001::/32, RFC 4380 §4: the client's v4, bits inverted, in the last 32 bits).
import { describe, expect, it } from 'vitest';
import { checkUpstreamUrl, isPrivateAddress } from '../../src/core/private-address.js';

describe('the private-address guard on IPv6 forms that embed IPv4', () => {
  it.each([
    // IPv4-compatible, whatever the embedded address
    '::7f00:1', '::127.0.0.1', '::a00:1', '::169.254.169.254', '::808:808', '0:0:0:0:0:0:a9fe:a9fe',
    // IPv4-mapped, in every spelling
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:7F00:0001', '0:0:0:0:0:ffff:7f00:1', '0000:0000:0000:0000:0000:ffff:127.0.0.1', '::ffff:a9fe:a9fe', '::ffff:10.1.2.3',
    // IPv4-translated
    '::ffff:0:7f00:1', '::ffff:0:10.0.0.1',
    // NAT64 well-known prefix
    '64:ff9b::7f00:1', '64:ff9b::127.0.0.1', '64:ff9b:0:0:0:0:a9fe:a9fe', '64:ff9b::c0a8:101',
    // 6to4 of a private v4
    '2002:7f00:1::', '2002:a00:1::1', '2002:a9fe:a9fe::1', '2002:c0a8:101:0:0:0:0:1',
    // Teredo whose client is private: 0x80fffffe = ~127.0.0.1, 0xf5fffffe = ~10.0.0.1, 0x5601565f = ~169.254.169.160
    '2001:0:4136:e378:8000:63bf:80ff:fffe', '2001:0:4136:e378:8000:63bf:f5ff:fffe', '2001::5601:565f',
    // bracketed and zoned literals
    '[::ffff:7f00:1]', 'fe80::1%eth0',
  ])('blocks %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::808:808', '64:ff9b::8.8.8.8', '2002:808:808::1',
    // Teredo with a public client (~8.8.8.8 = f7f7:f7f7)
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7', '2606:4700:4700::1111', '2a00:1450:4001:81b::200e',
  ])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('refuses an upstream URL whose literal host embeds a private v4', () => {
    for (const url of ['http://[::7f00:1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://[2002:a9fe:a9fe::1]/', 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'http://[64:ff9b::a9fe:a9fe]/']) {
      expect(checkUpstreamUrl(url, false).ok, url).toBe(false);
    }
  });
});
