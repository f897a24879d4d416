// The upstream-address guard (SPEC §7): account admins may not point a provider at loopback,
// private, link-local (cloud metadata, 169.254.169.254) or other special-purpose addresses, or the
// gateway becomes a server-side request forgery tool (OWASP SSRF Prevention Cheat Sheet). The
// ranges are the IANA special-purpose registries (RFC 6890 and its updates). Pure: no DNS here;
// the gateway applies the same test to every resolved address at connect time.
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network" (RFC 791)
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598); also Alibaba's metadata 100.100.100.200
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. the 169.254.169.254 metadata service (RFC 3927)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only (RFC 6666)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local, incl. AWS's fd00:ec2::254 metadata (RFC 4193)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address embedded in an IPv4-mapped or NAT64 IPv6 address, if any. */
function embeddedIpv4(ipv6: string): string | undefined {
  const lower = ipv6.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** True for any address an untrusted upstream may not use. Non-IP input counts as blocked. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    return v4 !== undefined ? blocked.check(v4, 'ipv4') : blocked.check(bare, 'ipv6');
  }
  return true;
}

export type UpstreamUrlCheck =
  | { ok: true; url: URL; hostIsAddress: boolean }
  | { ok: false; reason: string };

/**
 * Shape of an upstream base URL: http(s), no credentials, no query or fragment; an IP-literal host
 * must be public unless private upstreams are allowed. (Host names are checked after resolution.)
 */
export function checkUpstreamUrl(value: string, allowPrivate: boolean): UpstreamUrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: 'must be an absolute http(s) URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'must use http or https' };
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials; use the secret field' };
  if (url.search || url.hash) return { ok: false, reason: 'must not contain a query or fragment' };
  const host = url.hostname;
  const hostIsAddress = isIP(host.replace(/^\[|\]$/g, '')) !== 0;
  if (!allowPrivate && (hostIsAddress ? isPrivateAddress(host) : isLocalName(host))) {
    return { ok: false, reason: 'must not point at a loopback, private, link-local or metadata address' };
  }
  return { ok: true, url, hostIsAddress };
}

/** Names that always mean this machine or a private network, whatever DNS says. */
function isLocalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.internal') || name.endsWith('.local');
}
