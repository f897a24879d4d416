// The management commands an operator scripts against a node's database: keys (create, list,
// revoke), credit grants, operator promotion and `config check`, run as real `tollgate` processes
// over the data directory of a gateway the test started and stopped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMasterKey, signUp, startTestGateway, type SignedIn } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { runCli } from '../support/spawn-tollgate.js';

describe('tollgate keys, credits, operator and config commands', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-manage-'));
  const masterKey = newMasterKey();
  const env = { TOLLGATE_DATA_DIR: dataDir, TOLLGATE_MASTER_KEY: masterKey };
  const reopen = () => startTestGateway({ shared: { dataDir, masterKey, schema: '' } });
  let user: SignedIn;

  beforeAll(async () => {
    const gw = await reopen();
    user = await signUp(gw.app);
    await gw.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('mints a key printed alone on stdout, grants credits, and the key then pays for a call', async () => {
    const created = await runCli(['keys', 'create', '--email', user.email, '--name', 'from-cli'], env);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    rememberSecret(key);
    expect(key).toMatch(/^tg_live_[0-9A-Za-z]+$/);
    expect(created.stderr).toMatch(/^created key_\w+ in account acc_\w+/);

    const granted = await runCli(['credits', 'grant', '--email', user.email, '--amount', '500', '--reason', 'starter'], env);
    expect(granted.code).toBe(0);
    expect(granted.stdout).toMatch(/^acc_\w+\tbalance 500\n$/);

    const listed = await runCli(['keys', 'list', '--email', user.email], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toBe('id\tprefix\tkind\tname\tstatus\tcreated_at\tlast_used_at');
    expect(listed.stdout).toMatch(/\tpersonal\tfrom-cli\tactive\t/);

    const gw = await reopen();
    try {
      expect((await gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
      const accountId = /in account (acc_\w+)/.exec(created.stderr)![1]!;
      const balance = await gw.app.inject({ url: `/api/v1/accounts/${accountId}/balance`, headers: user.auth });
      expect(balance.json()).toMatchObject({ balance: 500 });
      const audit = await gw.services.storage.audit.listByAccount(accountId, { limit: 10 });
      expect(audit.events.map((e) => e.action)).toEqual(expect.arrayContaining(['key.created', 'credits.granted']));
    } finally {
      await gw.close();
    }
  });

  it('revokes a key by id, says so when it was revoked already, and names mistakes with exit 1', async () => {
    const created = await runCli(['keys', 'create', '--email', user.email], env);
    const key = created.stdout.trim();
    rememberSecret(key);
    const id = /created (key_\w+)/.exec(created.stderr)![1]!;
    expect((await runCli(['keys', 'revoke', id], env)).stdout).toBe(`${id} revoked\n`);
    expect((await runCli(['keys', 'revoke', id], env)).stdout).toBe(`${id} already revoked\n`);
    const gw = await reopen();
    try {
      expect((await gw.app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
    } finally {
      await gw.close();
    }
    const unknown = await runCli(['keys', 'revoke', 'key_nope'], env);
    expect(unknown).toMatchObject({ code: 1, stderr: 'tollgate: no key with id key_nope\n' });
    const nobody = await runCli(['credits', 'grant', '--email', 'nobody@example.com', '--amount', '5'], env);
    expect(nobody).toMatchObject({ code: 1, stderr: expect.stringContaining('no user with email nobody@example.com') });
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
