// The save-time half of the upstream-address guard (SPEC §7): a base URL an account admin gives
// must be well-formed and must not name or resolve to a loopback, private, link-local or metadata
// address. (The connect-time half, guardedLookup, re-checks every connection.)
import { lookup } from 'node:dns/promises';
import { checkUpstreamUrl, isPrivateAddress } from '../core/private-address.js';
import { invalidField } from '../core/validation-error.js';

/** `field` names the body field in the 422 (webhooks check their `url` with the same rules). */
export async function assertAllowedUpstream(baseUrl: string, allowPrivate: boolean, field = 'base_url'): Promise<string> {
  const check = checkUpstreamUrl(baseUrl, allowPrivate);
  if (!check.ok) throw invalidField(field, check.reason);
  if (allowPrivate || check.hostIsAddress) return check.url.toString().replace(/\/+$/, '');
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(check.url.hostname, { all: true });
  } catch {
    throw invalidField(field, 'host name does not resolve');
  }
  if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address))) {
    throw invalidField(field, 'must not point at a loopback, private, link-local or metadata address');
  }
  return check.url.toString().replace(/\/+$/, '');
}
