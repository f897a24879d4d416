import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../../src/crypto/envelope.js';
import { deriveSecrets } from '../../src/crypto/master-key.js';

describe('envelope encryption of recoverable keys', () => {
  const secrets = deriveSecrets(randomBytes(32));
  const alice = secrets.derive('key-recovery', 'usr_alice');

  it('opens what it sealed for the same row', () => {
    const sealed = seal(alice, 'tg_live_secret', 'row:key_1');
    expect(sealed).not.toContain('tg_live_secret');
    expect(open(alice, sealed, 'row:key_1')).toBe('tg_live_secret');
  });

  it('refuses a ciphertext moved to another row, another user, or tampered with', () => {
    const sealed = seal(alice, 'tg_live_secret', 'row:key_1');
    expect(open(alice, sealed, 'row:key_2')).toBeNull();
    expect(open(secrets.derive('key-recovery', 'usr_bob'), sealed, 'row:key_1')).toBeNull();
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[14] = bytes[14]! ^ 1;
    expect(open(alice, `v1.${bytes.toString('base64')}`, 'row:key_1')).toBeNull();
    expect(open(alice, 'v2.AAAA', 'row:key_1')).toBeNull();
  });

  it('derives independent keys per purpose and per user', () => {
    expect(secrets.derive('api-key-hmac').equals(secrets.derive('token-hmac'))).toBe(false);
    expect(alice.equals(secrets.derive('key-recovery', 'usr_bob'))).toBe(false);
    expect(alice.equals(secrets.derive('key-recovery', 'usr_alice'))).toBe(true);
  });
});
