import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeBase62Fixed } from '../../src/core/base62.js';
import { crc32 } from '../../src/core/crc32.js';
import { checksumOf, formatKey, generateKey, parseKey } from '../../src/core/key-format.js';

const ID = 'AbCd1234';
const SECRET = '0123456789abcdefghijABCDEFGHIJxy';

describe('key format (SPEC §2)', () => {
  it('computes the IEEE CRC-32 check value for "123456789"', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('tg_live_x')).toBe(zlibCrc32('tg_live_x'));
  });

  it('formats a known vector as prefix_env_id+secret+checksum, 54 characters with the default prefix', () => {
    const key = formatKey('tg', 'live', ID, SECRET);
    expect(key).toBe(`tg_live_${ID}${SECRET}${encodeBase62Fixed(zlibCrc32(`tg_live_${ID}${SECRET}`), 6)}`);
    expect(key).toHaveLength(54);
    expect(key.slice(-6)).toBe(checksumOf(`tg_live_${ID}${SECRET}`));
  });

  it('parses what it generates, for both environments and a custom prefix', () => {
    for (const [prefix, env] of [['tg', 'live'], ['tg', 'test'], ['acme', 'live']] as const) {
      const { key, parsed } = generateKey(prefix, env);
      expect(key).toMatch(new RegExp(`^${prefix}_${env}_[0-9A-Za-z]{46}$`));
      const result = parseKey(key, prefix);
      expect(result).toEqual({ ok: true, key: parsed });
      expect(parsed.keyPrefix).toBe(key.slice(0, prefix.length + env.length + 2 + 8));
    }
  });

  it('generates distinct secrets of at least 190 bits', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateKey('tg', 'live').key));
    expect(keys.size).toBe(200);
    expect(32 * Math.log2(62)).toBeGreaterThan(190);
  });

  it('rejects a key whose checksum does not match, after any single-character change', () => {
    const key = formatKey('tg', 'live', ID, SECRET);
    for (const position of [8, 20, 47, 50, 53]) {
      const swapped = key[position] === 'Z' ? 'Y' : 'Z';
      const typo = key.slice(0, position) + swapped + key.slice(position + 1);
      expect(parseKey(typo, 'tg')).toEqual({ ok: false, reason: 'bad_checksum' });
    }
  });

  it('rejects wrong shapes as malformed', () => {
    const key = formatKey('tg', 'live', ID, SECRET);
    for (const bad of ['', 'tg_live_', key.slice(0, -1), `${key}x`, key.replace('live', 'prod'), key.replace('_live_', '-live-'), `Tg${key.slice(2)}`, `tg_live_${'!'.repeat(46)}`, 'x'.repeat(5000)]) {
      expect(parseKey(bad, 'tg')).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it("rejects a valid key minted under another deployment's prefix", () => {
    const { key } = generateKey('acme', 'live');
    expect(parseKey(key, 'tg')).toEqual({ ok: false, reason: 'wrong_prefix' });
  });
});
