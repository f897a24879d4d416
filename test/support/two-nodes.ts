// Two Tollgate nodes of one deployment: one PostgreSQL schema, one master key, one Redis, one config
// file in front of a mock OpenAI upstream. For what must hold across nodes (revocation, leak
// reports). Needs TOLLGATE_TEST_DATABASE_URL and TOLLGATE_TEST_REDIS_URL; `twoNodesSkipped` says
// when they are unset.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { postgresUrl, redisUrl, releaseSchema, uniqueSchema } from './databases.js';
import { fixtureConfig, writeConfigFile } from './gateway-fixture.js';
import { newMasterKey, startTestGateway, type TestGateway } from './harness.js';
import { startMockOpenAI, type MockOpenAI } from './mock-openai.js';

export interface TwoNodes {
  a: TestGateway;
  b: TestGateway;
  mock: MockOpenAI;
  close(): Promise<void>;
}

/**
 * True (after declaring a skipped test that says why) when PostgreSQL or Redis is not configured;
 * call it first in a `describe` and return when it says so.
 */
export function twoNodesSkipped(what: string): boolean {
  if (postgresUrl && redisUrl) return false;
  console.warn(`${what} skipped: set TOLLGATE_TEST_DATABASE_URL and TOLLGATE_TEST_REDIS_URL to run it.`);
  it.skip('needs TOLLGATE_TEST_DATABASE_URL and TOLLGATE_TEST_REDIS_URL', () => {});
  return true;
}

/** Starts both nodes; `extraConfig` is merged over the fixture's providers and aliases. */
export async function startTwoNodes(extraConfig: object = {}): Promise<TwoNodes> {
  const databaseUrl = postgresUrl!;
  const schema = uniqueSchema();
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-two-nodes-'));
  const mock = await startMockOpenAI();
  const file = writeConfigFile({ ...fixtureConfig(mock), ...extraConfig });
  const shared = { schema, masterKey: newMasterKey(), dataDir };
  const env = { TOLLGATE_REDIS_URL: redisUrl!, TOLLGATE_CONFIG: file.path };
  const target = { name: 'postgres' as const, databaseUrl };
  const a = await startTestGateway({ target, shared, env });
  const b = await startTestGateway({ target, shared, env });
  return {
    a,
    b,
    mock,
    async close() {
      for (const node of [a, b]) {
        node.app.server.closeAllConnections();
        await node.close();
      }
      await mock.close();
      file.remove();
      await releaseSchema(databaseUrl, schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
