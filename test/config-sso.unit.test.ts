import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { parseConfigFile } from '../src/config-file.js';

const provider = (extra: Record<string, unknown> = {}) => ({ id: 'corp', issuer: 'https://login.example.com', client_id: 'tollgate', client_secret: '${SSO_SECRET}', ...extra });
const file = (...providers: object[]) => JSON.stringify({ sso: { providers } });
const env = { SSO_SECRET: 'from-env' };

describe('sso.providers in the config file', () => {
  it('is empty by default', () => {
    expect(parseConfigFile('{}', 'test', {}).sso).toEqual({ providers: [] });
  });

  it('resolves the name and lower-cases the allowed domains; the secret comes from the environment', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    const path = join(cwd, 'tollgate.json');
    writeFileSync(path, file(provider({ allowed_email_domains: ['Example.COM'] }), provider({ id: 'other', name: 'Other IdP' })));
    expect(loadConfig({ TOLLGATE_CONFIG: path, ...env }, cwd).ssoProviders).toEqual([
      { id: 'corp', name: 'corp', issuer: 'https://login.example.com', clientId: 'tollgate', clientSecret: 'from-env', allowedEmailDomains: ['example.com'] },
      { id: 'other', name: 'Other IdP', issuer: 'https://login.example.com', clientId: 'tollgate', clientSecret: 'from-env', allowedEmailDomains: null },
    ]);
  });

  it.each([
    [provider({ issuer: 'http://login.example.com' }), /sso.providers\[0\].issuer must be an https:\/\/ URL/],
    [provider({ issuer: 'not a url' }), /sso.providers\[0\].issuer/],
    [provider({ issuer: 'https://login.example.com/?tenant=1' }), /sso.providers\[0\].issuer/],
    [provider({ issuer: 'https://user:pw@login.example.com' }), /sso.providers\[0\].issuer/],
    [provider({ client_secret: undefined }), /sso\/providers\/0/],
    [provider({ scope: 'openid' }), /sso\/providers\/0/],
    [provider({ id: 'has space' }), /sso\/providers\/0\/id/],
    [provider({ allowed_email_domains: [] }), /allowed_email_domains/],
    [provider({ allowed_email_domains: ['@example.com'] }), /allowed_email_domains/],
  ])('refuses %o naming the setting', (entry, pattern) => {
    expect(() => parseConfigFile(file(entry), 'test', env)).toThrow(ConfigError);
    expect(() => parseConfigFile(file(entry), 'test', env)).toThrow(pattern);
  });

  it('refuses a duplicate id, naming both entries', () => {
    expect(() => parseConfigFile(file(provider(), provider()), 'test', env)).toThrow('sso.providers[1]: the id "corp" is already used by sso.providers[0]');
  });

  it('refuses an unknown key in the sso section', () => {
    expect(() => parseConfigFile(JSON.stringify({ sso: { providers: [], public_url: 'x' } }), 'test', env)).toThrow(/sso/);
  });

  it('accepts plain http to this machine only (a local test issuer)', () => {
    for (const issuer of ['http://127.0.0.1:9000', 'http://localhost:9000/realms/dev', 'http://[::1]:9000']) {
      expect(parseConfigFile(file(provider({ issuer })), 'test', env).sso.providers[0]!.issuer).toBe(issuer);
    }
  });
});
