// AES-256-GCM envelope for recoverable secrets. The data key is derived per owner (HKDF with the
// owner's id as context), and the associated data binds a ciphertext to its row: a ciphertext
// copied onto another row, or another user's row, fails authentication instead of decrypting.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export function seal(dataKey: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
}

/** Returns null when the ciphertext does not authenticate (wrong key, wrong row, tampered). */
export function open(dataKey: Buffer, sealed: string, associatedData: string): string | null {
  const [version, payload] = sealed.split('.', 2);
  if (version !== VERSION || !payload) return null;
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length < 12 + 16) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
