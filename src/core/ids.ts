// Prefixed object ids (SPEC §1): the prefix tells a reader what an id names, in logs and support
// tickets alike. 16 base62 chars ≈ 95 bits: unguessable, so ids never leak existence by enumeration.
import { encodeBase62Fixed, randomBase62 } from './base62.js';

export type IdPrefix = 'usr' | 'acc' | 'key' | 'svc' | 'prv' | 'ali' | 'rte' | 'ses' | 'req' | 'evt' | 'rtk' | 'fam' | 'led' | 'use' | 'inv' | 'whk' | 'msg';

export function newId(prefix: IdPrefix, length = 16): string {
  return `${prefix}_${randomBase62(length)}`;
}

/**
 * An id for rows written on every request (usage records, ledger charges): the creation time in
 * milliseconds (8 base62 digits, in the alphabet's sort order; enough until the year 8888) before the
 * same 16 random chars. Each insert then lands at the end of the id's index instead of on a random
 * page of it, so a batch of them writes one or two index pages, not one per row.
 */
export function newTimeOrderedId(prefix: IdPrefix, nowMs = Date.now()): string {
  return `${prefix}_${encodeBase62Fixed(nowMs, 8)}${randomBase62(16)}`;
}
