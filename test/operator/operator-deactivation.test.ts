import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { databaseTargets, releaseSchema, postgresUrl, redisUrl, uniqueSchema } from '../support/databases.js';
import { createKey, newMasterKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { bearer, createServiceToken, createTeam, makeOperator } from '../support/accounts-fixtures.js';

/** Everything that speaks for one user: tokens, a personal key, an org key and a service token. */
interface Credentials {
  user: SignedIn;
  personalKey: string;
  orgKey: string;
  serviceToken: string;
}

async function credentialsOf(app: App): Promise<Credentials> {
  const user = await signUp(app);
  const personalKey = (await createKey(app, user)).key;
  const teamId = await createTeam(app, user);
  const minted = await app.inject({ method: 'POST', url: '/admin/keys', headers: { ...user.auth, 'x-account-id': teamId }, payload: { name: 'org' } });
  rememberSecret(minted.json().secret);
  const { token } = await createServiceToken(app, user, teamId);
  return { user, personalKey, orgKey: minted.json().secret, serviceToken: token };
}

/** Status of each credential on one node: control plane, admin plane and data plane. */
async function statuses(app: App, c: Credentials) {
  return {
    access: (await app.inject({ url: '/api/v1/auth/me', headers: c.user.auth })).statusCode,
    personalKeyOnControl: (await app.inject({ url: '/api/v1/automation/settings', headers: bearer(c.personalKey) })).statusCode,
    serviceToken: (await app.inject({ url: '/admin/keys', headers: bearer(c.serviceToken) })).statusCode,
    personalKeyOnData: (await app.inject({ url: '/v1/models', headers: bearer(c.personalKey) })).statusCode,
    orgKeyOnData: (await app.inject({ url: '/v1/models', headers: bearer(c.orgKey) })).statusCode,
  };
}

const allAccepted = (s: Record<string, number>) => Object.values(s).every((code) => code === 200);
const allRefused = (s: Record<string, number>) => Object.values(s).every((code) => code === 401);

/** Polls until `done` holds, for at most `ms`; returns the last statuses seen. */
async function within(ms: number, app: App, c: Credentials, done: (s: Record<string, number>) => boolean) {
  const deadline = Date.now() + ms;
  let last = await statuses(app, c);
  while (!done(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await statuses(app, c);
  }
  return last;
}

for (const target of databaseTargets()) {
  describe(`deactivating a user on ${target.name}`, () => {
    let gw: TestGateway;
    let operator: SignedIn;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
      operator = await signUp(gw.app);
      await makeOperator(gw, operator);
    });
    afterAll(() => gw?.close());

    const act = (userId: string, action: 'deactivate' | 'reactivate', by: SignedIn = operator) =>
      gw.app.inject({ method: 'POST', url: `/api/v1/operator/users/${userId}/${action}`, headers: by.auth });

    it('stops their access and refresh tokens, keys and service tokens at once, and reactivation restores the keys', async () => {
      const c = await credentialsOf(gw.app);
      expect(allAccepted(await statuses(gw.app, c))).toBe(true);

      const off = await act(c.user.userId, 'deactivate');
      expect(off.statusCode).toBe(200);
      expect(off.json()).toMatchObject({ id: c.user.userId, is_active: false });
      const refused = await statuses(gw.app, c);
      expect(allRefused(refused), JSON.stringify(refused)).toBe(true);
      const refresh = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: c.user.refreshToken } });
      expect(refresh.statusCode).toBe(401);
      const login = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: c.user.email, password: c.user.password } });
      expect(login.statusCode).toBe(401);

      const on = await act(c.user.userId, 'reactivate');
      expect(on.json()).toMatchObject({ is_active: true });
      const back = await statuses(gw.app, c);
      expect(back.personalKeyOnControl).toBe(200);
      expect(back.serviceToken).toBe(200);
      expect(back.orgKeyOnData).toBe(200);
      expect(back.personalKeyOnData).toBe(200);
      // Refresh tokens revoked by the deactivation stay revoked: the user signs in again.
      expect((await gw.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: c.user.refreshToken } })).statusCode).toBe(401);
    });

    it('audits deactivation and reactivation on the user’s personal account', async () => {
      const user = await signUp(gw.app);
      await act(user.userId, 'deactivate');
      await act(user.userId, 'reactivate');
      const fresh = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } });
      rememberSecret(fresh.json().access_token, fresh.json().refresh_token);
      const audit = await gw.app.inject({ url: '/admin/audit?limit=2', headers: bearer(fresh.json().access_token) });
      expect(audit.json().events).toEqual([
        expect.objectContaining({ action: 'user.reactivated', actor_id: operator.userId, target_id: user.userId }),
        expect.objectContaining({ action: 'user.deactivated', actor_id: operator.userId, target_id: user.userId }),
      ]);
    });

    it('refuses an operator deactivating themselves, unknown users, and non-operators', async () => {
      expect((await act(operator.userId, 'deactivate')).statusCode).toBe(409);
      expect((await act('usr_nobody', 'deactivate')).statusCode).toBe(404);
      const user = await signUp(gw.app);
      const other = await signUp(gw.app);
      expect((await act(other.userId, 'deactivate', user)).statusCode).toBe(403);
      expect((await gw.app.inject({ url: '/api/v1/auth/me', headers: other.auth })).statusCode).toBe(200);
    });
  });
}

describe('deactivating a user seen from a second node sharing PostgreSQL and Redis', () => {
  if (!postgresUrl || !redisUrl) {
    console.warn('Second-node deactivation test skipped: set TOLLGATE_TEST_DATABASE_URL and TOLLGATE_TEST_REDIS_URL to run it.');
    it.skip('needs PostgreSQL and Redis shared by two nodes', () => {});
    return;
  }
  const databaseUrl: string = postgresUrl;
  const sharedRedis: string = redisUrl;
  let a: TestGateway;
  let b: TestGateway;
  const schema = uniqueSchema();
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-two-nodes-'));
  beforeAll(async () => {
    const shared = { schema, masterKey: newMasterKey(), dataDir };
    const env = { TOLLGATE_REDIS_URL: sharedRedis };
    const target = { name: 'postgres' as const, databaseUrl };
    a = await startTestGateway({ target, shared, env });
    b = await startTestGateway({ target, shared, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await releaseSchema(databaseUrl, schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a deactivated user's keys and tokens on the other node within 1 s", async () => {
    const operator = await signUp(a.app);
    await makeOperator(a, operator);
    const c = await credentialsOf(a.app);
    // Node B has seen (and, where it caches, cached) every credential before the change.
    const before = await statuses(b.app, c);
    expect(allAccepted(before), JSON.stringify(before)).toBe(true);

    const off = await a.app.inject({ method: 'POST', url: `/api/v1/operator/users/${c.user.userId}/deactivate`, headers: operator.auth });
    expect(off.statusCode).toBe(200);
    const startedMs = Date.now();
    const seen = await within(1000, b.app, c, allRefused);
    console.log(`second node refused every credential ${Date.now() - startedMs} ms after the deactivation answered`);
    expect(seen).toEqual(Object.fromEntries(Object.keys(before).map((k) => [k, 401])));
  });
});
