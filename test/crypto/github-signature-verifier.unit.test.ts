// The signature check of GitHub's secret scanning reports: ECDSA P-256 / SHA-256 over the raw
// bytes, DER in base64, the key chosen by its identifier.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GithubSignatureVerifier } from '../../src/crypto/github-signature-verifier.js';
import { flipByte, githubSigner } from '../support/github-reports.js';

describe('GithubSignatureVerifier', () => {
  const current = githubSigner('current');
  const previous = githubSigner('previous');
  const verifier = new GithubSignatureVerifier([current, previous].map((s) => ({ id: s.keyId, key: s.publicKeyPem })));
  const body = Buffer.from('[{"token":"tg_live_x","type":"t","url":"u","source":"content"}]');

  it('accepts the exact bytes signed with the named key, under any configured key', () => {
    expect(verifier.check('current', current.signatureOf(body), body)).toBe('valid');
    expect(verifier.check('previous', previous.signatureOf(body), body)).toBe('valid');
  });

  it('refuses a flipped byte anywhere in the body or the signature', () => {
    const signature = current.signatureOf(body);
    for (let i = 0; i < body.length; i++) expect(verifier.check('current', signature, flipByte(body, i))).toBe('invalid');
    const der = Buffer.from(signature, 'base64');
    for (let i = 0; i < der.length; i++) expect(verifier.check('current', flipByte(der, i).toString('base64'), body)).toBe('invalid');
  });

  it('refuses a signature made with another configured key, an unknown key id and missing headers', () => {
    expect(verifier.check('current', previous.signatureOf(body), body)).toBe('invalid');
    expect(verifier.check('nobody', current.signatureOf(body), body)).toBe('unknown_key');
    expect(verifier.check(undefined, current.signatureOf(body), body)).toBe('missing');
    expect(verifier.check('current', undefined, body)).toBe('missing');
    expect(verifier.check('current', '', body)).toBe('missing');
  });

  it('refuses what is not base64 DER without throwing', () => {
    for (const junk of ['not base64!', 'AAAA', 'A'.repeat(400), Buffer.from('hello').toString('base64')]) {
      expect(verifier.check('current', junk, body)).toBe('invalid');
    }
  });

  it('refuses to hold a key that is not ECDSA P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => new GithubSignatureVerifier([{ id: 'rsa', key: rsa }])).toThrow(/"rsa" is not an ECDSA P-256 public key/);
  });
});
