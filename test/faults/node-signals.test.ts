// Nodes that stop under load (issue 14, failures survived), as real `tollgate serve` processes over a
// PostgreSQL of the test's own. SIGTERM during 50 open streams: every stream is finished within the
// shutdown grace, and each one's usage record and ledger charge is written before the process exits.
// SIGKILL of one node of two during load: the other keeps serving; what the dead node held stays
// reserved until the sweeper releases it, and what it served unbilled is bounded by those holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHUTDOWN_GRACE_MS } from '../../src/main.js';
import { expectNoReservationLeft } from '../credits/credit-fixtures.js';
import { fixtureConfig, waitFor, writeConfigFile } from '../support/gateway-fixture.js';
import { createKey, newMasterKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { ownPostgresMissing, startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';
import { startTollgateProcess, type TollgateProcess } from '../support/spawn-tollgate.js';

const missing = ownPostgresMissing();
if (missing) console.warn(`Node signal fault tests skipped: ${missing}.`);

const STREAM_CHUNKS = 10;
const CHUNK_INTERVAL_MS = 150; // a stream lasts ~1.5 s: well inside the grace, long enough to be caught mid-way
// Each test starts a `tollgate serve` process: ~3 s on an idle machine, 10-15 s on a loaded one.
const PROCESS_TEST_MS = 90_000;

describe.skipIf(missing)('nodes stopped under load', () => {
  let db: OwnPostgres;
  let mock: MockOpenAI;
  let slowMock: MockOpenAI;
  let file: { path: string; remove(): void };
  let survivor: TestGateway;
  let env: Record<string, string>;
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-fault-nodes-'));
  const spawned: TollgateProcess[] = [];

  beforeAll(async () => {
    [db, mock, slowMock] = await Promise.all([
      startOwnPostgres(),
      startMockOpenAI({ chunkIntervalMs: CHUNK_INTERVAL_MS, chunks: STREAM_CHUNKS }),
      // Streams of ~6 s: still running on both nodes when one of them is killed.
      startMockOpenAI({ chunkIntervalMs: 300, chunks: 20 }),
    ]);
    const price = { input_per_mtok: 1_000_000, output_per_mtok: 1_000_000, per_request: 0, max_output_tokens: 20 };
    file = writeConfigFile(
      fixtureConfig(mock, {
        providers: [{ id: 'slow', type: 'openai', base_url: slowMock.url }],
        aliases: [
          { name: 'chat-priced', strategy: 'fallback', targets: [{ provider: 'mock', model: 'gpt-4.1-mini' }] },
          { name: 'chat-slow', strategy: 'fallback', targets: [{ provider: 'slow', model: 'gpt-4.1-mini' }] },
        ],
        prices: [
          { model: 'chat-priced', ...price },
          { model: 'chat-slow', ...price },
        ],
      }),
    );
    const masterKey = newMasterKey();
    // The in-process node migrates the shared schema (public, as a spawned server uses) and survives.
    survivor = await startTestGateway({ target: { name: 'postgres', databaseUrl: db.url }, shared: { schema: 'public', masterKey, dataDir }, env: { TOLLGATE_CONFIG: file.path } });
    env = { TOLLGATE_DATABASE_URL: db.url, TOLLGATE_MASTER_KEY: masterKey, TOLLGATE_CONFIG: file.path, TOLLGATE_DATA_DIR: dataDir, TOLLGATE_LOG_LEVEL: 'info' };
  });
  afterAll(async () => {
    for (const node of spawned) await node.stop('SIGKILL');
    survivor?.app.server.closeAllConnections();
    await survivor?.close();
    await mock?.close();
    await slowMock?.close();
    file?.remove();
    await db?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function fundedKey(credits: number) {
    const user = await signUp(survivor.app);
    const key = await createKey(survivor.app, user);
    const accountId = (await survivor.services.storage.accounts.findPersonal(user.userId))!.id;
    await survivor.services.credits.ledger.grant({ accountId, amount: credits, reason: 'test', actorId: null, requestId: null });
    return { key: key.key, keyId: key.id, accountId };
  }

  /** Opens a priced stream and resolves once its first chunk arrived, with a promise of the whole text. */
  async function openStream(baseUrl: string, key: string, model = 'chat-priced'): Promise<{ rest: Promise<string> }> {
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    const rest = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += decoder.decode(value);
      }
    })();
    rest.catch(() => undefined); // a killed node's streams fail; the test reads them on purpose
    return { rest };
  }

  async function countRows(table: 'usage_records' | 'credit_ledger', column: 'key_id' | 'account_id', value: string, extra = ''): Promise<number> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`select count(*)::int as n from ${table} where ${column} = $1 ${extra}`, [value]);
      return rows[0].n as number;
    } finally {
      await client.end();
    }
  }

  it('finishes 50 open streams on SIGTERM within the grace, and writes every usage record and charge', async () => {
    const { key, keyId, accountId } = await fundedKey(100_000);
    const node = await startTollgateProcess(env);
    spawned.push(node);
    const streams = await Promise.all(Array.from({ length: 50 }, () => openStream(node.url, key)));

    const signalled = performance.now();
    const exited = node.stop('SIGTERM');
    // No new connection is taken once the drain began.
    expect(await waitFor(async () => await fetch(`${node.url}/healthz`).then(() => false, () => true), 2_000)).toBe(true);
    const code = await exited;
    const drainedMs = performance.now() - signalled;
    const texts = await Promise.all(streams.map((s) => s.rest));
    expect(code).toBe(0);
    // The streams last ~1.5 s: the stop ends with them, well inside the grace, not at its end.
    expect(drainedMs).toBeLessThan(SHUTDOWN_GRACE_MS / 2);
    for (const text of texts) expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);

    // Written before exit, not by the survivor: 50 usage records and 50 usage charges, no hold left.
    expect(await countRows('usage_records', 'key_id', keyId)).toBe(50);
    expect(await countRows('credit_ledger', 'account_id', accountId, "and kind = 'usage'")).toBe(50);
    const money = await expectNoReservationLeft(survivor.services, accountId);
    expect(money).toMatchObject({ reserved: 0, reservations: 0, ledgerSum: money.balance });
    expect(money.balance).toBeLessThan(100_000);
  }, PROCESS_TEST_MS);

  /** What the account's reservation rows hold, in credits. */
  async function reservedIn(accountId: string): Promise<number> {
    const rows = await survivor.services.storage.credits.listReservations(accountId);
    return rows.reduce((sum, r) => sum + r.amount, 0);
  }

  it('keeps serving on the other node when one is killed, and the sweeper releases what the dead one held', async () => {
    const { key, accountId } = await fundedKey(100_000);
    const doomed = await startTollgateProcess(env);
    spawned.push(doomed);
    const survivorUrl = await survivor.app.listen({ host: '127.0.0.1', port: 0 });

    const [onDoomed, onSurvivor] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => openStream(doomed.url, key, 'chat-slow'))),
      Promise.all(Array.from({ length: 10 }, () => openStream(survivorUrl, key, 'chat-slow'))),
    ]);
    // Twenty streams hold the same cost (requests that arrive together may share one row: a group reservation).
    const heldAmount = await reservedIn(accountId);
    expect(heldAmount).toBeGreaterThan(0);
    expect(heldAmount % 20).toBe(0);

    await doomed.stop('SIGKILL');
    // The dead node's streams break; the survivor's finish and it takes new calls.
    for (const s of onDoomed) await expect(s.rest).rejects.toThrow();
    for (const s of onSurvivor) expect((await s.rest).trimEnd().endsWith('data: [DONE]')).toBe(true);
    const after = await openStream(survivorUrl, key);
    expect((await after.rest).trimEnd().endsWith('data: [DONE]')).toBe(true);

    // The dead node's 10 holds outlive it (nobody settles them); the survivor's 11 calls are settled.
    expect(await waitFor(async () => (await reservedIn(accountId)) === heldAmount / 2, 5_000)).toBe(true);
    const orphaned = await survivor.services.storage.credits.listReservations(accountId);
    const orphanedAmount = await reservedIn(accountId);
    const before = await expectNoReservationLeft(survivor.services, accountId);
    expect(before.reserved).toBe(orphanedAmount);
    // The sweeper gives them back once they expire (run here with the clock past the reservation TTL).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + survivor.services.credits.ledger.reservationTtlMs + 1_000 });
    try {
      expect(await survivor.services.credits.ledger.sweepExpired()).toBe(orphaned.length);
    } finally {
      vi.useRealTimers();
    }
    const money = await expectNoReservationLeft(survivor.services, accountId);
    expect(money).toMatchObject({ reserved: 0, reservations: 0, balance: before.balance, ledgerSum: before.balance });
    // The bound: the killed streams were never charged (11 usage entries, all the survivor's), so what
    // a SIGKILL loses is the upstream work of the dead node's open calls, at most their holds.
    expect(await countRows('credit_ledger', 'account_id', accountId, "and kind = 'usage'")).toBe(11);
  }, PROCESS_TEST_MS);
});
