// A leak report revokes the key on every node (SPEC §10, §2): two Tollgate nodes share one
// PostgreSQL schema and one Redis; node B has the key cached when GitHub's report reaches node A
// (through a real socket), and B refuses the key within 1 s.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseSchema, postgresUrl, redisUrl, uniqueSchema } from '../support/databases.js';
import { fixtureConfig, writeConfigFile } from '../support/gateway-fixture.js';
import { githubSigner, leak, REPORT_URL, secretScanningConfig } from '../support/github-reports.js';
import { createKey, newMasterKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';

const chat = { model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] };

describe('a leak report reaching one of two nodes sharing PostgreSQL and Redis', () => {
  if (!postgresUrl || !redisUrl) {
    console.warn('Two-node leak test skipped: set TOLLGATE_TEST_DATABASE_URL and TOLLGATE_TEST_REDIS_URL to run it.');
    it.skip('needs TOLLGATE_TEST_DATABASE_URL and TOLLGATE_TEST_REDIS_URL', () => {});
    return;
  }
  const databaseUrl = postgresUrl;
  const github = githubSigner('github-key-1');
  const schema = uniqueSchema();
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-leak-two-nodes-'));
  let a: TestGateway;
  let b: TestGateway;
  let mock: MockOpenAI;
  let file: { path: string; remove(): void };
  let baseUrlA: string;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    file = writeConfigFile({ ...fixtureConfig(mock), ...secretScanningConfig(github) });
    const shared = { schema, masterKey: newMasterKey(), dataDir };
    const env = { TOLLGATE_REDIS_URL: redisUrl!, TOLLGATE_CONFIG: file.path };
    const target = { name: 'postgres' as const, databaseUrl };
    a = await startTestGateway({ target, shared, env });
    b = await startTestGateway({ target, shared, env });
    await a.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrlA = `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    a?.app.server.closeAllConnections();
    await a?.close();
    await b?.close();
    await mock?.close();
    file?.remove();
    await releaseSchema(databaseUrl, schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('revokes the key on node A at once and on node B, which had it cached, within 1 s', async () => {
    expect(a.services.gateway.keyBus?.healthy).toBe(true);
    expect(b.services.gateway.keyBus?.healthy).toBe(true);
    const user = await signUp(a.app);
    const { key } = await createKey(a.app, user);
    const on = (node: TestGateway) => node.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, payload: chat });
    // Node B has the key in its cache (trusted for up to 30 s without an event).
    expect((await on(b)).statusCode).toBe(200);
    expect((await on(b)).statusCode).toBe(200);

    const { body, headers } = github.signed([leak(key)]);
    const answer = await fetch(`${baseUrlA}${REPORT_URL}`, { method: 'POST', headers, body: new Uint8Array(body) });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as Array<{ label: string }>)[0]!.label).toBe('true_positive');
    const start = performance.now();
    expect((await on(a)).statusCode).toBe(401);

    let status = 200;
    while (status === 200 && performance.now() - start < 2000) {
      status = (await on(b)).statusCode;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const elapsedMs = performance.now() - start;
    console.info(`node B refused the leaked key ${elapsedMs.toFixed(0)} ms after node A revoked it`);
    expect(status).toBe(401);
    expect(elapsedMs).toBeLessThan(1000);
  });
});
