// Reads an ECDSA P-256 public key from PEM: the kind GitHub signs its secret scanning reports with
// (https://api.github.com/meta/public_keys/secret_scanning). Pure (no I/O): the config cross-check
// uses it to refuse a bad entry at start, naming it, and the signature verifier to hold the keys.
import { createPublicKey, type KeyObject } from 'node:crypto';

export type P256PublicKeyResult = { ok: true; key: KeyObject } | { ok: false; problem: string };

export function parseP256PublicKey(pem: string): P256PublicKeyResult {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    // OpenSSL's message says nothing an operator can act on beyond "this is not a PEM key".
    return { ok: false, problem: 'is not a PEM public key' };
  }
  // A private key in PEM also yields a public KeyObject; only a public key belongs in config.
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) return { ok: false, problem: 'is not a PEM public key (-----BEGIN PUBLIC KEY-----)' };
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    return { ok: false, problem: 'is not an ECDSA P-256 public key' };
  }
  return { ok: true, key };
}
