// The API key format of SPEC §2: `{prefix}_{env}_{body}` where body is 8 base62 chars of key id,
// 32 base62 chars of secret (32 × log2(62) ≈ 190.5 bits) and a 6-char base62 CRC-32 of everything
// before it. Pure: no I/O. Parsing never touches storage, so a malformed or mistyped key is refused
// before any cache or database lookup.
import { crc32 } from './crc32.js';
import { encodeBase62Fixed, randomBase62 } from './base62.js';

export const KEY_ID_LENGTH = 8;
export const KEY_SECRET_LENGTH = 32;
export const KEY_CHECKSUM_LENGTH = 6;
const BODY_LENGTH = KEY_ID_LENGTH + KEY_SECRET_LENGTH + KEY_CHECKSUM_LENGTH;

export type KeyEnvironment = 'live' | 'test';
export const KEY_ENVIRONMENTS: readonly KeyEnvironment[] = ['live', 'test'];

/** Prefixes are lower-case letters and digits, starting with a letter, at most 12 characters. */
export const KEY_PREFIX_PATTERN = /^[a-z][a-z0-9]{0,11}$/;

export interface ParsedKey {
  prefix: string;
  environment: KeyEnvironment;
  /** The 8 base62 chars of key id (the row id is `key_` + this). */
  keyId: string;
  /** Everything up to and including the key id: shown in listings. */
  keyPrefix: string;
}

export type ParseKeyResult =
  | { ok: true; key: ParsedKey }
  | { ok: false; reason: 'malformed' | 'bad_checksum' | 'wrong_prefix' };

export function checksumOf(text: string): string {
  return encodeBase62Fixed(crc32(text), KEY_CHECKSUM_LENGTH);
}

export function formatKey(prefix: string, environment: KeyEnvironment, keyId: string, secret: string): string {
  const head = `${prefix}_${environment}_${keyId}${secret}`;
  return head + checksumOf(head);
}

export function generateKey(prefix: string, environment: KeyEnvironment): { key: string; parsed: ParsedKey } {
  if (!KEY_PREFIX_PATTERN.test(prefix)) throw new RangeError(`invalid key prefix ${JSON.stringify(prefix)}`);
  const keyId = randomBase62(KEY_ID_LENGTH);
  const key = formatKey(prefix, environment, keyId, randomBase62(KEY_SECRET_LENGTH));
  return { key, parsed: { prefix, environment, keyId, keyPrefix: `${prefix}_${environment}_${keyId}` } };
}

const KEY_PATTERN = new RegExp(`^([a-z][a-z0-9]{0,11})_(live|test)_([0-9A-Za-z]{${BODY_LENGTH}})$`);

/**
 * Checks shape and checksum only. `expectedPrefix` makes a key minted under another prefix (another
 * deployment) fail here too, still without a lookup.
 */
export function parseKey(candidate: string, expectedPrefix?: string): ParseKeyResult {
  if (candidate.length > 64) return { ok: false, reason: 'malformed' };
  const match = KEY_PATTERN.exec(candidate);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, prefix, environment, body] = match as unknown as [string, string, KeyEnvironment, string];
  const head = candidate.slice(0, candidate.length - KEY_CHECKSUM_LENGTH);
  if (checksumOf(head) !== candidate.slice(-KEY_CHECKSUM_LENGTH)) return { ok: false, reason: 'bad_checksum' };
  if (expectedPrefix !== undefined && prefix !== expectedPrefix) return { ok: false, reason: 'wrong_prefix' };
  const keyId = body.slice(0, KEY_ID_LENGTH);
  return { ok: true, key: { prefix, environment, keyId, keyPrefix: `${prefix}_${environment}_${keyId}` } };
}
