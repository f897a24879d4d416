// A leak report revokes the key on every node (SPEC §10, §2): two Tollgate nodes share one
// PostgreSQL schema and one Redis; node B has the key cached when GitHub's report reaches node A
// (through a real socket), and B refuses the key within 1 s.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubSigner, leak, REPORT_URL, secretScanningConfig } from '../support/github-reports.js';
import { createKey, signUp, type TestGateway } from '../support/harness.js';
import { startTwoNodes, twoNodesSkipped, type TwoNodes } from '../support/two-nodes.js';

const chat = { model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] };

describe('a leak report reaching one of two nodes sharing PostgreSQL and Redis', () => {
  if (twoNodesSkipped('Two-node leak test')) return;
  const github = githubSigner('github-key-1');
  let nodes: TwoNodes;
  let a: TestGateway;
  let b: TestGateway;
  let baseUrlA: string;

  beforeAll(async () => {
    nodes = await startTwoNodes(secretScanningConfig(github));
    ({ a, b } = nodes);
    await a.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrlA = `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => nodes?.close());

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
