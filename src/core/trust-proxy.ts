// TOLLGATE_TRUST_PROXY (SPEC §7): which proxies' X-Forwarded-For is believed when working out the
// client address. A hop count (trust that many proxies in front of Tollgate, nearest first), or a
// comma-separated list of addresses and CIDR blocks (trust a peer inside them). Unset: nobody,
// and the client address is the socket's peer. Fastify's `trustProxy` takes either form.
import { isIP } from 'node:net';

export type TrustProxy = number | readonly string[];

const MAX_HOPS = 32;

function cidrProblem(entry: string): string | null {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return `${JSON.stringify(entry)} is not an IP address or CIDR block`;
  if (prefix === undefined) return null;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || bits > max) return `${JSON.stringify(entry)} has a prefix length outside 0–${max}`;
  return null;
}

/** The parsed setting, or why it is wrong. Empty means "trust no proxy". */
export function parseTrustProxy(raw: string | undefined): { ok: true; value: TrustProxy | undefined } | { ok: false; problem: string } {
  const text = raw?.trim() ?? '';
  if (text === '') return { ok: true, value: undefined };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > MAX_HOPS) return { ok: false, problem: `a hop count must be from 0 to ${MAX_HOPS}` };
    return { ok: true, value: hops === 0 ? undefined : hops };
  }
  const entries = text.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const problem = cidrProblem(entry);
    if (problem) return { ok: false, problem: `${problem} (expected a hop count or a comma-separated CIDR list)` };
  }
  return { ok: true, value: Object.freeze(entries) };
}
