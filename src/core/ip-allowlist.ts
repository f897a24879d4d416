// A key's allowed client addresses (SPEC §8 "More key settings"): CIDR blocks, IPv4 and IPv6, a
// bare address meaning one host (/32 or /128). Entries are stored in one canonical form, and an
// entry with host bits set (`10.1.2.3/8`) is refused rather than silently widened or narrowed:
// the writer meant either the block or the one address, and only they know which. Matching is
// node:net's BlockList, which also matches IPv4-mapped IPv6 peers (`::ffff:127.0.0.1`) against
// IPv4 blocks and the reverse. Pure: no I/O.
import { BlockList, isIP } from 'node:net';

export const MAX_ALLOWED_IPS = 100;

export type AllowedIpEntry = { ok: true; cidr: string } | { ok: false; problem: string };

/** The 4 or 16 bytes of an address isIP has already accepted (IPv6 may end in dotted IPv4). */
function addressBytes(address: string, family: 4 | 6): number[] {
  if (family === 4) return address.split('.').map(Number);
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const words = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = words(head);
  const right = words(rest);
  const hextets = rest === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return hextets.flatMap((h) => [h >> 8, h & 0xff]);
}

function formatBytes(bytes: readonly number[], family: 4 | 6): string {
  if (family === 4) return bytes.join('.');
  const hextets = [];
  for (let i = 0; i < 16; i += 2) hextets.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The WHATWG URL parser writes IPv6 in its one canonical form (RFC 5952: lower case, longest
  // zero run compressed), so the platform does the formatting.
  return new URL(`http://[${hextets.join(':')}]`).hostname.slice(1, -1);
}

/** The block with every bit past `prefix` cleared. */
function networkOf(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
}

/** One entry as written by a user, in canonical `address/prefix` form, or why it is refused. */
export function parseAllowedIp(entry: string): AllowedIpEntry {
  const shown = JSON.stringify(entry);
  const [address = '', prefixText, extra] = entry.split('/');
  const family = isIP(address) as 0 | 4 | 6;
  if (family === 0 || extra !== undefined || address.includes('%')) return { ok: false, problem: `${shown} is not an IP address or CIDR block` };
  const max = family === 4 ? 32 : 128;
  if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)) {
    return { ok: false, problem: `${shown} has a prefix length outside 0–${max}` };
  }
  const prefix = prefixText === undefined ? max : Number(prefixText);
  const bytes = addressBytes(address, family);
  const network = networkOf(bytes, prefix);
  if (network.some((byte, i) => byte !== bytes[i])) {
    return { ok: false, problem: `${shown} has host bits set: write ${formatBytes(network, family)}/${prefix} for the block or ${formatBytes(bytes, family)}/${max} for the one address` };
  }
  // An IPv4-mapped block (::ffff:10.0.0.0/104) is written as the IPv4 block it means.
  const mapped = family === 6 && prefix >= 96 && bytes.slice(0, 12).every((byte, i) => byte === (i < 10 ? 0 : 0xff));
  if (mapped) return { ok: true, cidr: `${formatBytes(bytes.slice(12), 4)}/${prefix - 96}` };
  return { ok: true, cidr: `${formatBytes(bytes, family)}/${prefix}` };
}

/**
 * The stored (canonical) list as a BlockList, built once per cached key rather than per request;
 * null when the key has no list (every address allowed).
 */
export function compileAllowedIps(cidrs: readonly string[]): BlockList | null {
  if (cidrs.length === 0) return null;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    list.addSubnet(network, Number(prefix), isIP(network) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** No list: allowed. A list and no usable client address: refused (fail closed). */
export function isIpAllowed(list: BlockList | null, clientIp: string | undefined): boolean {
  if (list === null) return true;
  if (clientIp === undefined || clientIp.includes('%')) return false;
  const family = isIP(clientIp);
  if (family === 0) return false;
  return list.check(clientIp, family === 4 ? 'ipv4' : 'ipv6');
}
