// The nginx example (examples/nginx/nginx.conf) against a real nginx and a real Tollgate on
// 127.0.0.1: auth_request asks GET /api/v1/forward-auth, the API behind nginx gets the caller's
// identity and never the key, and Tollgate's refusals (401, 403, 429, 402) reach the client.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../support/harness.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstream.js';

const NGINX = '/usr/sbin/nginx';
const EXAMPLE = new URL('../../examples/nginx/nginx.conf', import.meta.url);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the nginx auth_request example against real nginx', () => {
  if (!existsSync(NGINX)) {
    console.warn(`nginx example test skipped: ${NGINX} is not installed (apt-get install nginx-light or nginx).`);
    it.skip('needs nginx at /usr/sbin/nginx', () => {});
    return;
  }
  let f: GatewayFixture;
  let api: HttpUpstream;
  let nginx: ChildProcess | undefined;
  let nginxLog = '';
  let base: string;
  let prefix: string;

  beforeAll(async () => {
    api = await startHttpUpstream();
    f = await startGatewayFixture({ keyBody: { scopes: ['positions'], allowed_origins: ['https://app.example.com'] } });
    const tollgate = new URL(await f.listen());
    const accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
    await f.gw.services.credits.ledger.grant({ accountId, amount: 100, reason: 'test', actorId: null, requestId: null });

    const port = await freePort();
    prefix = mkdtempSync(join(tmpdir(), 'tollgate-nginx-'));
    chmodSync(prefix, 0o755);
    const config = readFileSync(EXAMPLE, 'utf8')
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${tollgate.port};`)
      .replace('server 127.0.0.1:9000;', `server ${new URL(api.url).host};`)
      .replace('listen 127.0.0.1:8000;', `listen 127.0.0.1:${port};`);
    expect(config).toContain(`127.0.0.1:${port}`);
    writeFileSync(join(prefix, 'nginx.conf'), config);
    nginx = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stderr?.on('data', (chunk: Buffer) => (nginxLog += chunk.toString()));
    base = `http://127.0.0.1:${port}`;
    const up = await waitFor(async () => fetch(`${base}/`).then(() => true, () => false), 5000, 50);
    expect(up, `nginx did not start: ${nginxLog}`).toBe(true);
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    await f?.close();
    await api?.close();
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  it('lets a valid key through, with its identity and without the key', async () => {
    const response = await fetch(`${base}/v1/positions?datetime=2024-03-20T12:00:00Z`, { headers: { 'x-api-key': f.key } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, path: '/v1/positions?datetime=2024-03-20T12:00:00Z' });
    const seen = api.requests.at(-1)!;
    expect(seen.headers['x-tollgate-key-id']).toBe(f.keyId);
    expect(seen.headers['x-tollgate-account-id']).toMatch(/^acc_/);
    expect(JSON.stringify(seen.headers)).not.toContain(f.key);
  });

  it('accepts the key as Authorization: Bearer and from an allowed origin', async () => {
    const response = await fetch(`${base}/v1/positions`, { headers: { authorization: `Bearer ${f.key}`, origin: 'https://app.example.com' } });
    expect(response.status).toBe(200);
    expect(api.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('answers 401 for a missing or invalid key and 403 for another origin, without reaching the API', async () => {
    const before = api.requests.length;
    expect((await fetch(`${base}/v1/positions`)).status).toBe(401);
    const invalid = await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': 'tg_live_nope' } });
    expect(invalid.status).toBe(401);
    expect(await invalid.json()).toMatchObject({ errors: [{ code: 'invalid_api_key' }] });
    expect((await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': f.key, origin: 'https://evil.example' } })).status).toBe(403);
    expect(api.requests.length).toBe(before);
  });

  it('answers 403 for a key without the scope, and 401 once a key is revoked', async () => {
    const unscoped = await createKey(f.gw.app, f.user);
    expect((await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': unscoped.key } })).status).toBe(403);
    const scoped = await createKey(f.gw.app, f.user, { scopes: ['positions'] });
    expect((await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': scoped.key } })).status).toBe(200);
    await f.gw.app.inject({ method: 'DELETE', url: `/api/v1/auth/keys/${scoped.id}`, headers: f.user.auth });
    expect((await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': scoped.key } })).status).toBe(401);
  });

  it("passes Tollgate's 429 (with Retry-After) and 402 through to the client", async () => {
    const limited = await createKey(f.gw.app, f.user, { scopes: ['positions'], rate_limit: { rpm: 1 } });
    expect((await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': limited.key } })).status).toBe(200);
    const refused = await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': limited.key } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
    const { balance } = await f.gw.services.credits.ledger.balance(accountId);
    await f.gw.services.credits.ledger.grant({ accountId, amount: -balance, reason: 'test', actorId: null, requestId: null });
    const broke = await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': f.key } });
    expect(broke.status).toBe(402);
    expect(await broke.json()).toMatchObject({ errors: [{ code: 'insufficient_credits' }] });
  });
});
