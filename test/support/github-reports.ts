// GitHub's side of a secret scanning partner report, for tests: an ECDSA P-256 key pair made here
// (standing in for GitHub's), the config entry that trusts its public key, and signed reports
// (ECDSA P-256 / SHA-256 over the raw body, base64 DER) with their two headers.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export const REPORT_URL = '/api/v1/secret-scanning/github';

export interface GithubSigner {
  keyId: string;
  publicKeyPem: string;
  /** The raw body and the headers GitHub would send with it. */
  signed(report: unknown): { body: Buffer; headers: Record<string, string> };
  signatureOf(body: Buffer): string;
}

export function githubSigner(keyId: string): GithubSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer: GithubSigner = {
    keyId,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    signatureOf: (body) => signBody(privateKey, body),
    signed(report) {
      const body = Buffer.from(JSON.stringify(report));
      return { body, headers: reportHeaders(keyId, signer.signatureOf(body)) };
    },
  };
  return signer;
}

function signBody(privateKey: KeyObject, body: Buffer): string {
  return sign('sha256', body, privateKey).toString('base64');
}

export function reportHeaders(keyId: string, signature: string): Record<string, string> {
  return { 'content-type': 'application/json', 'github-public-key-identifier': keyId, 'github-public-key-signature': signature };
}

/** The config-file section that trusts these signers' keys. */
export function secretScanningConfig(...signers: GithubSigner[]): object {
  return { secret_scanning: { github: { public_keys: signers.map((s) => ({ id: s.keyId, key: s.publicKeyPem })) } } };
}

/** One report entry as GitHub sends it. */
export function leak(token: string, url = 'https://github.com/octocat/hello/blob/0123abc/.env'): { token: string; type: string; url: string; source: string } {
  return { token, type: 'tollgate_api_key', url, source: 'content' };
}

/** The same bytes with one byte changed (XOR 0x01 at `index`). */
export function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}
