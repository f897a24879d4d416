// The management commands an operator scripts against a node's database: keys (create, list,
// revoke), credit grants, operator promotion and `config check`. What the commands decide is run
// in-process over a real gateway's services; what the command line adds (stdout for pipes, exit
// codes, the config file left unread) is run as real `tollgate` processes on that gateway's data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError, createKey, grantCredits, listKeys, revokeKey } from '../../src/cli/management.js';
import { newMasterKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { runCli } from '../support/spawn-tollgate.js';

describe('tollgate keys, credits, operator and config commands', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-manage-'));
  const masterKey = newMasterKey();
  const env = { TOLLGATE_DATA_DIR: dataDir, TOLLGATE_MASTER_KEY: masterKey };
  let gw: TestGateway;
  let user: SignedIn;

  beforeAll(async () => {
    gw = await startTestGateway({ shared: { dataDir, masterKey, schema: '' } });
    user = await signUp(gw.app);
  });
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('mints a key that then pays for calls with the credits granted, lists it, and audits both as the system via cli', async () => {
    const created = await createKey(gw.services, { email: user.email, name: 'from-cli', environment: 'live' });
    rememberSecret(created.key);
    expect(created.key).toMatch(/^tg_live_[0-9A-Za-z]+$/);
    expect(await grantCredits(gw.services, { email: user.email, amount: 500, reason: 'starter' })).toEqual({ accountId: created.accountId, balanceAfter: 500 });
    expect((await gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${created.key}` } })).statusCode).toBe(200);
    expect((await gw.app.inject({ url: `/api/v1/accounts/${created.accountId}/balance`, headers: user.auth })).json()).toMatchObject({ balance: 500 });

    const rows = await listKeys(gw.services, user.email);
    expect(rows[0]).toBe('id\tprefix\tkind\tname\tstatus\tcreated_at\tlast_used_at');
    expect(rows.find((row) => row.startsWith(created.id))).toMatch(/\tpersonal\tfrom-cli\tactive\t/);
    const audit = await gw.services.storage.audit.listByAccount(created.accountId, { limit: 10 });
    expect(audit.events.filter((e) => e.data?.via === 'cli').map((e) => e.action).sort()).toEqual(['credits.granted', 'key.created']);
  });

  it('revokes a key at once, says so when it was revoked already, and names what does not exist', async () => {
    const created = await createKey(gw.services, { email: user.email, name: null, environment: 'test' });
    rememberSecret(created.key);
    expect((await gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${created.key}` } })).statusCode).toBe(200);
    expect(await revokeKey(gw.services, created.id)).toBe('revoked');
    expect((await gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${created.key}` } })).statusCode).toBe(401);
    expect(await revokeKey(gw.services, created.id)).toBe('already revoked');
    await expect(revokeKey(gw.services, 'key_nope')).rejects.toThrow(new CommandError('no key with id key_nope'));
    await expect(grantCredits(gw.services, { email: 'nobody@example.com', amount: 5, reason: null })).rejects.toThrow(/no user with email nobody@example.com/);
    await expect(grantCredits(gw.services, { email: user.email, amount: 1.5, reason: null })).rejects.toThrow(/whole number/);
  });

  it('prints a created key alone on stdout for pipes, and a mistake as `tollgate: …` with exit 1', async () => {
    const created = await runCli(['keys', 'create', '--email', user.email, '--name', 'piped'], env);
    expect(created.code).toBe(0);
    rememberSecret(created.stdout.trim());
    expect(created.stdout).toMatch(/^tg_live_[0-9A-Za-z]+\n$/);
    expect(created.stderr).toMatch(/^created key_\w+ in account acc_\w+\n$/);
    const nobody = await runCli(['credits', 'grant', '--email', 'nobody@example.com', '--amount', '5'], env);
    expect(nobody).toMatchObject({ code: 1, stdout: '', stderr: 'tollgate: no user with email nobody@example.com; they register first\n' });
  });

  it("promotes an operator without the config file's unrelated ${VAR}s, which `config check` does demand", async () => {
    const configPath = join(dataDir, 'tollgate.yaml');
    writeFileSync(configPath, 'providers:\n  - id: openai\n    type: openai\n    base_url: https://api.openai.com/v1\n    api_key: ${OPENAI_API_KEY_FOR_CHECK}\n');
    const withFile = { ...env, TOLLGATE_CONFIG: configPath };
    const promoted = await runCli(['operator', 'create', '--email', user.email], withFile);
    expect(promoted).toMatchObject({ code: 0, stdout: `${user.email} (${user.userId}) is now an operator\n` });
    const missing = await runCli(['config', 'check'], withFile);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('${OPENAI_API_KEY_FOR_CHECK} is not set');
    const ok = await runCli(['config', 'check'], { ...withFile, OPENAI_API_KEY_FOR_CHECK: 'sk-check' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('providers: 1, aliases: 0, routes: 0');
  });

  it('lists the environment variables under serve --help', async () => {
    const help = await runCli(['serve', '--help'], {});
    expect(help.code).toBe(0);
    for (const name of ['TOLLGATE_DATA_DIR', 'TOLLGATE_DATABASE_URL', 'TOLLGATE_REDIS_URL', 'TOLLGATE_TRUST_PROXY', 'TOLLGATE_METRICS_TOKEN']) expect(help.stdout).toContain(name);
  });
});
