// SPEC §6: "N concurrent requests never spend more than the balance". 200 priced requests race for
// a balance that covers exactly N of them: exactly N are admitted, the rest get 402, and the
// balance ends at initial − spent, never below zero, equal to the ledger sum — on SQLite with one
// node, and on PostgreSQL + Redis with two nodes sharing the deployment.
//
// These drive services.admission (the engine the data plane calls once per request, then settles)
// directly, with admissions and settlements interleaved as the gateway would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { releaseSchema, postgresUrl, redisUrl, uniqueSchema } from '../support/databases.js';
import { newMasterKey, startTestGateway, type TestGateway } from '../support/harness.js';
import { accountWithCredits, admissionFor, errorCode, expectNoReservationLeft, setPrice } from './credit-fixtures.js';

const REQUESTS = 200;
const COST = 10; // per_request 10: each request reserves 10 and is charged 10
const COVERED = 37;

/** One request as the gateway runs it: admit, (upstream), settle with the usage. */
async function oneRequest(services: Services, accountId: string): Promise<'ok' | string> {
  const decision = await services.admission.admit(admissionFor(accountId, { estimatedInputTokens: 12, maxOutputTokens: 30 }));
  if (!decision.ok) return errorCode(decision)!;
  await new Promise((resolve) => setImmediate(resolve));
  const settled = await decision.ticket.settle({ inputTokens: 12, outputTokens: 20 }, 'ok');
  expect(settled.credits).toBe(COST);
  return 'ok';
}

async function race(nodes: Services[], accountId: string): Promise<Record<string, number>> {
  const outcomes = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => oneRequest(nodes[i % nodes.length]!, accountId)));
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

describe('200 concurrent priced requests against a balance that covers exactly 37', () => {
  it('on SQLite with one node: exactly 37 succeed, 163 get 402, the balance ends at initial − spent and equals the ledger', async () => {
    const gateway = await startTestGateway();
    try {
      await setPrice(gateway.services, 'priced-model', { perRequest: COST });
      const accountId = await accountWithCredits(gateway, COVERED * COST + COST - 1); // 379: 37 fit, a 38th does not
      const counts = await race([gateway.services], accountId);
      expect(counts).toEqual({ ok: COVERED, insufficient_credits: REQUESTS - COVERED });
      expect(await expectNoReservationLeft(gateway.services, accountId)).toEqual({ balance: COST - 1, reserved: 0, ledgerSum: COST - 1, reservations: 0 });
      expect((await gateway.services.storage.credits.listLedger(accountId, 500)).filter((e) => e.kind === 'usage')).toHaveLength(COVERED);
    } finally {
      await gateway.close();
    }
  });

  const both = postgresUrl && redisUrl;
  if (!both) console.warn('Two-node PostgreSQL + Redis spend test skipped: set TOLLGATE_TEST_DATABASE_URL and TOLLGATE_TEST_REDIS_URL.');
  it.skipIf(!both)('on PostgreSQL + Redis with two nodes: exactly 37 succeed across both, the rest get 402, the ledger equals the balance', async () => {
    const shared = { schema: uniqueSchema(), masterKey: newMasterKey(), dataDir: mkdtempSync(join(tmpdir(), 'tollgate-spend-')) };
    const target = { name: 'postgres' as const, databaseUrl: postgresUrl };
    const nodes: TestGateway[] = [];
    try {
      for (let i = 0; i < 2; i++) nodes.push(await startTestGateway({ target, shared, env: { TOLLGATE_REDIS_URL: redisUrl! } }));
      await setPrice(nodes[0]!.services, 'priced-model', { perRequest: COST });
      const accountId = await accountWithCredits(nodes[0]!, COVERED * COST);
      const counts = await race(nodes.map((node) => node.services), accountId);
      expect(counts).toEqual({ ok: COVERED, insufficient_credits: REQUESTS - COVERED });
      expect(await expectNoReservationLeft(nodes[1]!.services, accountId)).toEqual({ balance: 0, reserved: 0, ledgerSum: 0, reservations: 0 });
    } finally {
      for (const node of nodes) await node.close();
      await releaseSchema(postgresUrl!, shared.schema);
      rmSync(shared.dataDir, { recursive: true, force: true });
    }
  });
});

