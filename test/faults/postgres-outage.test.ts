// PostgreSQL stopped under a running Tollgate (issue 14, failures survived), with a PostgreSQL of the
// test's own: management answers 503 `unavailable` with a clear message instead of a 500; a key
// this node has cached keeps verifying for a free model within the cache's bound; a priced call
// fails closed (503, nothing sent upstream, never free); and when PostgreSQL returns the same
// process serves again, with its ledger exact. A dead idle connection must not crash the process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/storage/connect.js';
import { expectNoReservationLeft } from '../credits/credit-fixtures.js';
import { newMasterKey } from '../support/harness.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';
import { capturedLogs } from '../support/log-capture.js';
import { ownPostgresMissing, startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';

const missing = ownPostgresMissing();
if (missing) console.warn(`PostgreSQL fault tests skipped: ${missing}.`);

describe.skipIf(missing)('when PostgreSQL stops', () => {
  let pg: OwnPostgres;
  let f: GatewayFixture;
  let accountId: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-fault-pg-'));
  const call = (model: string) =>
    f.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${f.key}` }, payload: { model, messages: [{ role: 'user', content: 'hi' }] } });
  const listKeys = () => f.gw.app.inject({ url: '/api/v1/auth/keys', headers: f.user.auth });

  beforeAll(async () => {
    pg = await startOwnPostgres();
    f = await startGatewayFixture({
      target: { name: 'postgres', databaseUrl: pg.url },
      // A schema that outlives the fixture: the whole server is removed after the file instead.
      shared: { schema: 'tollgate', masterKey: newMasterKey(), dataDir },
      config: {
        aliases: [{ name: 'chat-priced', strategy: 'fallback', targets: [{ provider: 'mock', model: 'gpt-4.1-mini' }] }],
        prices: [{ model: 'chat-priced', input_per_mtok: 1_000_000, output_per_mtok: 1_000_000, per_request: 0, max_output_tokens: 20 }],
        pricing: { unpriced: 'free' },
      },
    });
    accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
    await f.gw.services.credits.ledger.grant({ accountId, amount: 1_000, reason: 'test', actorId: null, requestId: null });
  });
  afterAll(async () => {
    await f?.close();
    await pg?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses what needs the database with 503, keeps cached keys verifying, never serves a priced call free, and resumes without a restart', async () => {
    // Up: the key is cached by its first use, and a priced call is charged.
    expect((await call('chat-default')).statusCode).toBe(200);
    expect((await call('chat-priced')).statusCode).toBe(200);
    expect(await waitFor(async () => (await expectNoReservationLeft(f.gw.services, accountId)).reserved === 0)).toBe(true);
    const before = await expectNoReservationLeft(f.gw.services, accountId);
    expect(before.balance).toBeLessThan(1_000);
    const upstreamCalls = f.mock.requests.length;

    await pg.stop('fast');

    // Management: a clear 503 the client may retry, not an opaque 500.
    const keys = await listKeys();
    expect(keys.statusCode).toBe(503);
    expect(keys.json().errors[0]).toMatchObject({ code: 'unavailable', message: 'The database cannot be reached.' });
    // The cached key still verifies (within KEY_CACHE_MAX_AGE_MS) for a free model...
    const cachedFree = await call('chat-default');
    expect(cachedFree.statusCode, cachedFree.body).toBe(200);
    expect(f.mock.requests.length).toBe(upstreamCalls + 1);
    // ...but a priced call cannot be reserved, so it is refused before anything goes upstream.
    const priced = await call('chat-priced');
    expect(priced.statusCode).toBe(503);
    expect(priced.json().error.code).toBe('unavailable');
    expect(f.mock.requests.length).toBe(upstreamCalls + 1);

    await pg.start();

    // The same process serves again: the pool reconnects on its own.
    expect(await waitFor(async () => (await listKeys()).statusCode === 200, 10_000, 200)).toBe(true);
    expect((await call('chat-priced')).statusCode).toBe(200);
    expect(await waitFor(async () => (await expectNoReservationLeft(f.gw.services, accountId)).reserved === 0)).toBe(true);
    const after = await expectNoReservationLeft(f.gw.services, accountId);
    // Exactly one more priced call was charged, and nothing was half-written: ledger sum = balance.
    expect(after.balance).toBe(before.balance - (1_000 - before.balance));
    expect(after.ledgerSum).toBe(after.balance);
    expect(after.reservations).toBe(0);
    // The idle connections PostgreSQL closed were noticed, not left to crash the process.
    expect(capturedLogs.some((line) => line.includes('an idle database connection was lost'))).toBe(true);
  });

  it('survives the database going away while a transaction holds a connection between statements', async () => {
    // A connection checked out of the pool (here: inside a transaction, between two statements)
    // had no error listener, so PostgreSQL closing it raised an uncaught "Connection terminated
    // unexpectedly" that would end the process (seen in CI as an unhandled error in this file).
    const handle = await connectDatabase({ databaseUrl: pg.url, dataDir, schema: 'tollgate' });
    try {
      const transaction = handle.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await pg.stop('fast');
        // Let the closed socket's end reach the idle client before the next statement.
        await new Promise((resolve) => setTimeout(resolve, 100));
        await sql`select 1`.execute(trx);
      });
      await expect(transaction).rejects.toThrow();
    } finally {
      await handle.close().catch(() => undefined);
      await pg.start();
    }
  });
});
