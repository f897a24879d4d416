// The real thing: `tollgate serve` as a process on a real socket, as `npm start` runs it.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedLogs, rememberSecret } from '../support/log-capture.js';
import { runCli, startTollgateProcess } from '../support/spawn-tollgate.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-proc-'));
  dirs.push(dir);
  return join(dir, 'data');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function json(url: string, init: RequestInit & { body?: string } = {}) {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

describe('tollgate serve', () => {
  it('creates its data directory and a 0600 master key, serves the seed flow and stops cleanly on SIGTERM', async () => {
    const dir = dataDir();
    const server = await startTollgateProcess({ TOLLGATE_DATA_DIR: dir, TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL: 'boss@example.com' });
    try {
      expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
      expect((await json(`${server.url}/readyz`)).body).toEqual({ status: 'ready' });

      rememberSecret('stringst', 'boss-password-1');
      const reg = await json(`${server.url}/api/v1/auth/register`, { method: 'POST', body: JSON.stringify({ email: 'apitest@example.com', name: 'string', is_active: true, password: 'stringst' }) });
      expect(reg.status).toBe(201);
      const login = await json(`${server.url}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email: 'apitest@example.com', password: 'stringst' }) });
      rememberSecret(login.body.access_token, login.body.refresh_token);
      const auth = { authorization: `Bearer ${login.body.access_token}` };
      const key = await json(`${server.url}/api/v1/auth/keys`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'apitest' }) });
      rememberSecret(key.body.key);
      expect(key.status).toBe(201);
      const settings = await json(`${server.url}/api/v1/automation/settings`, { method: 'PUT', headers: { authorization: `Bearer ${key.body.key}` }, body: JSON.stringify({ is_enabled: true, session_duration: 3600 }) });
      expect(settings.body).toMatchObject({ is_enabled: true, session_duration: 3600, user_id: reg.body.id });
      const decrypted = await json(`${server.url}/api/v1/auth/keys/default/decrypted`, { headers: auth });
      expect(decrypted.body.key).toBe(key.body.key);

      // The bootstrap operator email makes that user an operator when they register.
      await json(`${server.url}/api/v1/auth/register`, { method: 'POST', body: JSON.stringify({ email: 'boss@example.com', password: 'boss-password-1' }) });
      const bossLogin = await json(`${server.url}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email: 'boss@example.com', password: 'boss-password-1' }) });
      rememberSecret(bossLogin.body.access_token, bossLogin.body.refresh_token);
      const me = await json(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${bossLogin.body.access_token}` } });
      expect(me.body.is_operator).toBe(true);
    } finally {
      const code = await server.stop('SIGTERM');
      expect(code).toBe(0);
      capturedLogs.push(server.output());
    }
    expect(server.output()).toContain('"msg":"stopped"');
    // Nothing on stderr a user would read as a problem: no framework deprecation at start.
    expect(server.output()).not.toMatch(/DeprecationWarning|FSTDEP/);
  });

  it('keeps its master key across restarts, so keys minted before still work', async () => {
    const dir = dataDir();
    const first = await startTollgateProcess({ TOLLGATE_DATA_DIR: dir });
    let key = '';
    try {
      rememberSecret('restart-password');
      await json(`${first.url}/api/v1/auth/register`, { method: 'POST', body: JSON.stringify({ email: 'r@example.com', password: 'restart-password' }) });
      const login = await json(`${first.url}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email: 'r@example.com', password: 'restart-password' }) });
      rememberSecret(login.body.access_token, login.body.refresh_token);
      key = (await json(`${first.url}/api/v1/auth/keys`, { method: 'POST', headers: { authorization: `Bearer ${login.body.access_token}` }, body: '{}' })).body.key;
      rememberSecret(key);
    } finally {
      await first.stop();
      capturedLogs.push(first.output());
    }
    const second = await startTollgateProcess({ TOLLGATE_DATA_DIR: dir });
    try {
      expect((await json(`${second.url}/api/v1/automation/settings`, { headers: { 'x-api-key': key } })).status).toBe(200);
    } finally {
      await second.stop();
      capturedLogs.push(second.output());
    }
  });

  it('refuses to start on a bad setting, naming it', async () => {
    const result = await runCli(['serve'], { TOLLGATE_DATA_DIR: dataDir(), TOLLGATE_PORT: 'nope' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TOLLGATE_PORT');
  });

  it('promotes an existing user with `tollgate operator create --email`', async () => {
    const dir = dataDir();
    const server = await startTollgateProcess({ TOLLGATE_DATA_DIR: dir });
    try {
      rememberSecret('operator-password');
      await json(`${server.url}/api/v1/auth/register`, { method: 'POST', body: JSON.stringify({ email: 'op@example.com', password: 'operator-password' }) });
      const missing = await runCli(['operator', 'create', '--email', 'ghost@example.com'], { TOLLGATE_DATA_DIR: dir });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no user with email');
      const promoted = await runCli(['operator', 'create', '--email', 'op@example.com'], { TOLLGATE_DATA_DIR: dir });
      expect(promoted.code).toBe(0);
      const login = await json(`${server.url}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email: 'op@example.com', password: 'operator-password' }) });
      rememberSecret(login.body.access_token, login.body.refresh_token);
      const me = await json(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${login.body.access_token}` } });
      expect(me.body.is_operator).toBe(true);
    } finally {
      await server.stop();
      capturedLogs.push(server.output());
    }
  });

  it('applies migrations with `tollgate migrate`', async () => {
    const dir = dataDir();
    const first = await runCli(['migrate'], { TOLLGATE_DATA_DIR: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied: 001-foundation');
    const again = await runCli(['migrate'], { TOLLGATE_DATA_DIR: dir });
    expect(again.stdout).toContain('already up to date');
  });
});
