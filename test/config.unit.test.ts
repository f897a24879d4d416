import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { parseConfigFile } from '../src/config-file.js';

const cwd = mkdtempSync(join(tmpdir(), 'tollgate-config-'));

describe('configuration', () => {
  it('defaults to the embedded setup on 127.0.0.1:8080', () => {
    const config = loadConfig({}, cwd);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: join(cwd, '.tollgate'), databaseUrl: undefined, redisUrl: undefined, keyPrefix: 'tg', keyRecovery: true, allowPrivateUpstreams: false });
    expect(config.adminAllowedRoles).toEqual(['owner', 'admin', 'member']);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('resolves every config-file default once and freezes the whole tree', () => {
    const config = loadConfig({}, cwd);
    expect(config.file.automation.default).toEqual({ is_enabled: true, session_duration: 3600 });
    expect(config.file.limits.fallback_share).toBe(0.5);
    expect(config.file.upstream).toEqual({ connect_timeout_ms: 10_000, first_byte_timeout_ms: 300_000, idle_timeout_ms: 120_000 });
    expect(Object.isFrozen(config.file.upstream)).toBe(true);
    expect(() => (config.file.providers as unknown[]).push({})).toThrow(TypeError);
    expect(() => (config.adminAllowedRoles as string[]).push('member')).toThrow(TypeError);
  });

  it('is typed read-only all the way down, so a write deep in the tree does not compile', () => {
    const config = loadConfig({}, cwd);
    const write = () => {
      // @ts-expect-error a nested property of the parsed file is read-only (npm run typecheck fails without it)
      config.file.upstream.connect_timeout_ms = 1;
    };
    expect(write).toThrow(TypeError);
  });

  it.each([
    [{ TOLLGATE_PORT: 'eighty' }, /TOLLGATE_PORT/],
    [{ TOLLGATE_PORT: '70000' }, /TOLLGATE_PORT/],
    [{ TOLLGATE_MASTER_KEY: 'c2hvcnQ=' }, /TOLLGATE_MASTER_KEY/],
    [{ TOLLGATE_DATABASE_URL: 'mysql://x' }, /TOLLGATE_DATABASE_URL/],
    [{ TOLLGATE_REDIS_URL: 'http://x' }, /TOLLGATE_REDIS_URL/],
    [{ TOLLGATE_KEY_PREFIX: 'Bad_Prefix' }, /TOLLGATE_KEY_PREFIX/],
    [{ TOLLGATE_KEY_RECOVERY: 'maybe' }, /TOLLGATE_KEY_RECOVERY/],
    [{ TOLLGATE_ADMIN_ALLOWED_ROLES: 'owner,root' }, /TOLLGATE_ADMIN_ALLOWED_ROLES/],
    [{ TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'perhaps' }, /TOLLGATE_ALLOW_PRIVATE_UPSTREAMS/],
    [{ TOLLGATE_LOG_LEVEL: 'loud' }, /TOLLGATE_LOG_LEVEL/],
  ])('stops on %o with a message naming the setting', (env, pattern) => {
    expect(() => loadConfig(env, cwd)).toThrow(ConfigError);
    expect(() => loadConfig(env, cwd)).toThrow(pattern);
  });

  it('always allows owners on the admin plane', () => {
    expect(loadConfig({ TOLLGATE_ADMIN_ALLOWED_ROLES: 'admin' }, cwd).adminAllowedRoles).toEqual(['owner', 'admin']);
  });

  it('reads the config file, replacing ${VAR} from the environment', () => {
    const path = join(cwd, 'gateway.yaml');
    writeFileSync(path, 'providers:\n  - { id: openai, type: openai, base_url: https://api.openai.com/v1, api_key: "${OPENAI_API_KEY}" }\nlimits:\n  default: { rpm: 600 }\n');
    const config = loadConfig({ TOLLGATE_CONFIG: path, OPENAI_API_KEY: 'sk-test' }, cwd);
    expect(config.file.providers[0]).toMatchObject({ id: 'openai', api_key: 'sk-test' });
    expect(config.file.limits.default).toEqual({ rpm: 600 });
    expect(config.file.aliases).toEqual([]);
  });

  it('names an unset ${VAR} and a bad setting in the config file', () => {
    const path = join(cwd, 'bad.yaml');
    writeFileSync(path, 'providers:\n  - { id: x, type: openai, base_url: "${NOPE}" }\n');
    expect(() => loadConfig({ TOLLGATE_CONFIG: path }, cwd)).toThrow(/\$\{NOPE\}/);
    writeFileSync(path, 'automation:\n  default: { is_enabled: true, session_duration: 5 }\n');
    expect(() => loadConfig({ TOLLGATE_CONFIG: path }, cwd)).toThrow(/session_duration/);
    writeFileSync(path, 'providers:\n  - { id: x, type: grpc, base_url: "http://x" }\n');
    expect(() => loadConfig({ TOLLGATE_CONFIG: path }, cwd)).toThrow(/providers\/0\/type/);
  });

  it('names a config file that cannot be read', () => {
    expect(() => loadConfig({ TOLLGATE_CONFIG: join(cwd, 'missing.yaml') }, cwd)).toThrow(/TOLLGATE_CONFIG.*ENOENT/);
  });

  it.each([
    ['two providers with one id', 'providers:\n  - { id: a, type: openai, base_url: http://x }\n  - { id: a, type: openai, base_url: http://y }\n', /providers\[1\]: the id "a" is already used by providers\[0\]/],
    ['an alias aiming at an undeclared provider', 'providers:\n  - { id: openai, type: openai, base_url: http://x }\naliases:\n  - { name: chat, targets: [{ provider: opnai, model: m }] }\n', /aliases\[0\]\.targets\[0\]: provider "opnai" is not declared \(declared: openai\)/],
    ['an alias aiming at an http provider', 'providers:\n  - { id: pos, type: http, base_url: http://x }\naliases:\n  - { name: chat, targets: [{ provider: pos, model: m }] }\n', /aliases\[0\]\.targets\[0\]: provider "pos" is of type http; aliases need an openai provider/],
    ['a route aiming at an undeclared provider', 'routes:\n  - { path: /v1/positions, provider: eph }\n', /routes\[0\]: provider "eph" is not declared \(declared: none\)/],
  ])('refuses %s at start, naming the entry', (_name, text, message) => {
    expect(() => parseConfigFile(text, 'tollgate.yaml', {})).toThrow(ConfigError);
    expect(() => parseConfigFile(text, 'tollgate.yaml', {})).toThrow(message);
  });
});

