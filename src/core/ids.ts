// Prefixed object ids (SPEC §1): the prefix tells a reader what an id names, in logs and support
// tickets alike. 16 base62 chars ≈ 95 bits: unguessable, so ids never leak existence by enumeration.
import { randomBase62 } from './base62.js';

export type IdPrefix = 'usr' | 'acc' | 'key' | 'svc' | 'prv' | 'ali' | 'rte' | 'ses' | 'req' | 'evt' | 'rtk' | 'fam' | 'led' | 'use' | 'inv' | 'whk' | 'msg';

export function newId(prefix: IdPrefix, length = 16): string {
  return `${prefix}_${randomBase62(length)}`;
}
