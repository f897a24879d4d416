// The master key: 32 random bytes from TOLLGATE_MASTER_KEY or a file in the data directory
// (created on first start with mode 0600). Every other secret is derived from it with HKDF
// (RFC 5869), one purpose per label, so no derived key can stand in for another.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MASTER_KEY_FILE = 'master.key';

export function loadOrCreateMasterKey(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(path)) {
    // 'wx' fails if another process created it in between; we then read theirs.
    try {
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(path, 0o600);
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 master key`);
  return key;
}

export type SecretPurpose = 'api-key-hmac' | 'token-hmac' | 'jwt-hs256' | 'key-recovery' | 'provider-secrets' | 'key-fingerprint' | 'webhook-secrets' | 'sso-attempt';

export interface DerivedSecrets {
  derive(purpose: SecretPurpose, context?: string): Buffer;
}

export function deriveSecrets(masterKey: Buffer): DerivedSecrets {
  const cache = new Map<string, Buffer>();
  return {
    derive(purpose, context = '') {
      const label = `tollgate/v1/${purpose}/${context}`;
      let key = cache.get(label);
      if (!key) {
        key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), label, 32));
        // Per-user keys are cheap to re-derive; keep the cache for the fixed purposes only.
        if (!context) cache.set(label, key);
      }
      return key;
    },
  };
}

const FINGERPRINT_LABEL = 'tollgate master key fingerprint v1';

/**
 * What the database records about the master key (SPEC §7): an HMAC of a fixed label under a key
 * derived for this purpose alone. It tells two keys apart and reveals nothing usable about
 * either (it opens no secret, and a guess at the key costs an HKDF and an HMAC per try against
 * 256 random bits).
 */
export function masterKeyFingerprint(secrets: DerivedSecrets): string {
  return createHmac('sha256', secrets.derive('key-fingerprint')).update(FINGERPRINT_LABEL).digest('base64url');
}

export function sameFingerprint(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
