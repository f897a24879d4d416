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

/** The eight 16-bit words of an IPv6 address that `isIP` accepted (zone id dropped). */
function ipv6Words(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  // RFC 4291 §2.2 form 3: the last 32 bits may be written as a dotted quad.
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2).map(Number) as [number, number, number, number];
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const words = (part: string) => (part === '' ? [] : part.split(':').map((word) => parseInt(word, 16)));
  const before = words(head);
  const after = tail === undefined ? [] : words(tail);
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}

const dottedQuad = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
const zeros = (words: number[], from: number, to: number) => words.slice(from, to).every((word) => word === 0);

/**
 * The IPv4 address an IPv6 address carries, for the forms that reach it: IPv4-mapped
 * (::ffff:0:0/96, RFC 4291 §2.5.5.2), IPv4-translated (::ffff:0:0:0/96, RFC 2765), NAT64's
 * well-known prefix (64:ff9b::/96, RFC 6052), 6to4 (2002::/16, RFC 3056: bits 16–48) and Teredo
 * (2001::/32, RFC 4380 §4: the client's address with every bit inverted, in the last 32 bits).
 */
function embeddedIpv4(words: number[]): string | undefined {
  const [w0 = 0, w1 = 0, w2 = 0, , w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  if (zeros(words, 0, 5) && w5 === 0xffff) return dottedQuad(w6, w7);
  if (zeros(words, 0, 4) && w4 === 0xffff && w5 === 0) return dottedQuad(w6, w7);
  if (w0 === 0x64 && w1 === 0xff9b && zeros(words, 2, 6)) return dottedQuad(w6, w7);
  if (w0 === 0x2002) return dottedQuad(w1, w2);
  if (w0 === 0x2001 && w1 === 0) return dottedQuad(~w6 & 0xffff, ~w7 & 0xffff);
  return undefined;
}

/** True for any address an untrusted upstream may not use. Non-IP input counts as blocked. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family !== 6) return true;
  const words = ipv6Words(bare);
  // IPv4-compatible addresses (::/96, incl. :: and ::1) are deprecated (RFC 4291 §2.5.5.1) and
  // some stacks still route them to the embedded IPv4 address: none is a legitimate upstream.
  if (zeros(words, 0, 6)) return true;
  const v4 = embeddedIpv4(words);
  return (v4 !== undefined && blocked.check(v4, 'ipv4')) || blocked.check(bare.replace(/%.*$/, ''), 'ipv6');
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
