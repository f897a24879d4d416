// The config file's secret_scanning.github.public_keys (SPEC §10): GitHub's PEM keys are parsed
// at start, and a bad entry stops start-up naming it.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigFile } from '../src/config-file.js';
import { githubSigner } from './support/github-reports.js';

const fileWith = (keys: Array<{ id: string; key: string }>) => JSON.stringify({ secret_scanning: { github: { public_keys: keys } } });

describe('secret_scanning.github.public_keys', () => {
  const github = githubSigner('key-a');

  it('is empty by default (the endpoint then answers 404)', () => {
    expect(parseConfigFile('{}', 'tollgate.yaml', {}).secret_scanning).toEqual({ github: { public_keys: [] } });
  });

  it('takes P-256 public keys in PEM by id', () => {
    const file = parseConfigFile(fileWith([{ id: 'key-a', key: github.publicKeyPem }]), 'tollgate.yaml', {});
    expect(file.secret_scanning.github.public_keys).toEqual([{ id: 'key-a', key: github.publicKeyPem }]);
  });

  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const brokenPem = '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n';

  it.each([
    ['a broken PEM', [{ id: 'key-a', key: github.publicKeyPem }, { id: 'key-b', key: brokenPem }], /public_keys\[1\] \(id "key-b"\): the key is not a PEM public key/],
    ['an RSA key', [{ id: 'rsa', key: rsa }], /public_keys\[0\] \(id "rsa"\): the key is not an ECDSA P-256 public key/],
    ['a private key', [{ id: 'secret', key: privatePem }], /public_keys\[0\] \(id "secret"\): the key is not a PEM public key/],
    ['two keys with one id', [{ id: 'key-a', key: github.publicKeyPem }, { id: 'key-a', key: github.publicKeyPem }], /public_keys\[1\] \(id "key-a"\): the id is already used by secret_scanning\.github\.public_keys\[0\]/],
    ['an empty key', [{ id: 'key-a', key: '' }], /public_keys\/0\/key/],
  ])('refuses %s at start, naming the entry', (_name, keys, message) => {
    expect(() => parseConfigFile(fileWith(keys), 'tollgate.yaml', {})).toThrow(ConfigError);
    expect(() => parseConfigFile(fileWith(keys), 'tollgate.yaml', {})).toThrow(message);
  });

  it('never quotes the private key it refused', () => {
    expect(() => parseConfigFile(fileWith([{ id: 'secret', key: privatePem }]), 'tollgate.yaml', {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(privatePem.split('\n')[1]!) }),
    );
  });
});
