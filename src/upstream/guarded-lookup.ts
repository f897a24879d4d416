// DNS resolution for account-owned upstreams that refuses private addresses at connect time
// (SPEC §7). Checking a provider's URL when it is saved is not enough: its name can later resolve
// elsewhere (DNS rebinding). Every resolved address must be public, or the connection is refused.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isPrivateAddress } from '../core/private-address.js';

export const BLOCKED_ADDRESS = 'ETOLLGATE_BLOCKED_ADDRESS';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, Object.assign({}, options, { all: true as const }), (error, addresses) => {
    if (error) return callback(error, '');
    const list = addresses as LookupAddress[];
    if (list.length === 0 || list.some((a) => isPrivateAddress(a.address))) {
      const refused: NodeJS.ErrnoException = new Error('upstream resolves to a private address');
      refused.code = BLOCKED_ADDRESS;
      return callback(refused, '');
    }
    if (options.all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}
