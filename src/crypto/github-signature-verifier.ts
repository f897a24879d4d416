// Checks the signature GitHub puts on a secret scanning partner report: ECDSA P-256 with SHA-256
// over the raw request body, the key named by `Github-Public-Key-Identifier`, the signature (ASN.1
// DER, base64) in `Github-Public-Key-Signature`. The keys are parsed once, when the node starts.
// Only the exact bytes received are verified: a body re-serialised from parsed JSON would differ.
import { verify, type KeyObject } from 'node:crypto';
import { parseP256PublicKey } from '../core/p256-public-key.js';

export type SignatureCheck = 'valid' | 'missing' | 'unknown_key' | 'invalid';

/** Base64 as GitHub sends it; Buffer.from would skip stray characters instead of refusing them. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** A DER ECDSA P-256 signature is at most 72 bytes; anything much longer is not one. */
const MAX_SIGNATURE_CHARS = 200;

export class GithubSignatureVerifier {
  private readonly keys = new Map<string, KeyObject>();

  /** Entries were checked by the config cross-check; a bad one here is a programming error. */
  constructor(entries: ReadonlyArray<{ id: string; key: string }>) {
    for (const entry of entries) {
      const parsed = parseP256PublicKey(entry.key);
      if (!parsed.ok) throw new RangeError(`public key ${JSON.stringify(entry.id)} ${parsed.problem}`);
      this.keys.set(entry.id, parsed.key);
    }
  }

  get size(): number {
    return this.keys.size;
  }

  check(keyId: string | undefined, signature: string | undefined, rawBody: Buffer): SignatureCheck {
    if (!keyId || !signature) return 'missing';
    const key = this.keys.get(keyId);
    if (!key) return 'unknown_key';
    if (signature.length > MAX_SIGNATURE_CHARS || !BASE64.test(signature)) return 'invalid';
    try {
      // DER is node's default encoding for ECDSA signatures (dsaEncoding: 'der').
      return verify('sha256', rawBody, key, Buffer.from(signature, 'base64')) ? 'valid' : 'invalid';
    } catch {
      // A signature that is not DER at all makes OpenSSL throw rather than answer false.
      return 'invalid';
    }
  }
}
