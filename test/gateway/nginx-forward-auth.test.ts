// The nginx example (examples/nginx/nginx.conf) against a real nginx and a real Tollgate on
// 127.0.0.1: auth_request asks GET /api/v1/forward-auth, the API behind nginx gets the caller's
// identity and never the key, and Tollgate's refusals (401, 403, 429, 402) reach the client. With
// TOLLGATE_TRUST_PROXY naming nginx, a key's allowed_ips are checked against nginx's client, and its
// metadata reaches the API as X-Tollgate-Key-Meta-* headers.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
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

/** A GET from a chosen loopback source address (fetch cannot pick one); the status. */
function getFrom(localAddress: string, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress, headers, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

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
    // nginx runs on this machine, so loopback is the proxy Tollgate believes (as in the README).
    f = await startGatewayFixture({ keyBody: { scopes: ['positions'], allowed_origins: ['https://app.example.com'] }, env: { TOLLGATE_TRUST_PROXY: '127.0.0.1/32' } });
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

  it("hands the key's metadata to the API, the same as verify and the key's own reads show it", async () => {
    const tagged = await createKey(f.gw.app, f.user, { scopes: ['positions'], metadata: { plan: 'pro', team: 'blue' } });
    expect((await f.gw.app.inject({ url: `/api/v1/auth/keys/${tagged.id}`, headers: f.user.auth })).json().metadata).toEqual({ plan: 'pro', team: 'blue' });
    const response = await fetch(`${base}/v1/positions`, { headers: { 'x-api-key': tagged.key } });
    expect(response.status).toBe(200);
    expect(api.requests.at(-1)?.headers['x-tollgate-key-meta-plan']).toBe('pro');
  });

  it("checks allowed_ips against nginx's client, not nginx, and a client's own X-Forwarded-For does not help", async () => {
    const url = `${base}/v1/positions`;
    const elsewhere = await createKey(f.gw.app, f.user, { scopes: ['positions'], allowed_ips: ['10.0.0.0/8'] });
    expect(await getFrom('127.0.0.1', url, { 'x-api-key': elsewhere.key, 'x-forwarded-for': '10.1.2.3' })).toBe(403);
    // The client connects from 127.0.0.2; nginx itself talks to Tollgate from 127.0.0.1.
    const client = await createKey(f.gw.app, f.user, { scopes: ['positions'], allowed_ips: ['127.0.0.2'] });
    const proxyOnly = await createKey(f.gw.app, f.user, { scopes: ['positions'], allowed_ips: ['127.0.0.1'] });
    expect(await getFrom('127.0.0.2', url, { 'x-api-key': client.key })).toBe(200);
    expect(await getFrom('127.0.0.2', url, { 'x-api-key': proxyOnly.key })).toBe(403);
    expect(await getFrom('127.0.0.1', url, { 'x-api-key': client.key })).toBe(403);
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
