// Issue 9 item 26: the ledger and usage are keyed by Tollgate's own request id (`req_…`); a
// client's X-Request-Id is echoed and kept for correlation, never trusted as a key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startGatewayFixture, waitFor, type GatewayFixture } from '../support/gateway-fixture.js';
import { capturedLogs } from '../support/log-capture.js';

for (const target of databaseTargets()) {
  describe(`request ids (${target.name})`, () => {
    let f: GatewayFixture;
    let accountId: string;
    beforeAll(async () => {
      f = await startGatewayFixture({
        target,
        config: { prices: [{ model: 'chat-default', input_per_mtok: 1_000_000, output_per_mtok: 1_000_000, per_request: 0, max_output_tokens: 20 }] },
      });
      accountId = (await f.gw.services.storage.accounts.findPersonal(f.user.userId))!.id;
      await f.gw.services.credits.ledger.grant({ accountId, amount: 1000, reason: 'test', actorId: null, requestId: null });
    });
    afterAll(() => f?.close());

    it('charges two requests that reuse one client X-Request-Id as two ledger entries under their own ids', async () => {
      const send = () =>
        f.gw.app.inject({
          method: 'POST',
          url: '/v1/chat/completions',
          headers: { authorization: `Bearer ${f.key}`, 'x-request-id': 'client-trace-7' },
          payload: { model: 'chat-default', messages: [{ role: 'user', content: 'hello' }] },
        });
      const [first, second] = [await send(), await send()];
      expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
      expect(first.headers['x-request-id']).toBe('client-trace-7');
      expect(await waitFor(async () => (await f.gw.services.storage.credits.listLedger(accountId, 10)).filter((e) => e.kind !== 'grant').length === 2)).toBe(true);
      const charges = (await f.gw.services.storage.credits.listLedger(accountId, 10)).filter((e) => e.kind !== 'grant');
      expect(charges.every((e) => e.amount < 0)).toBe(true);
      const ids = charges.map((e) => e.requestId);
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) expect(id).toMatch(/^req_[0-9A-Za-z]{20}$/);
      expect((await f.gw.services.credits.ledger.balance(accountId)).balance).toBe(1000 + charges[0]!.amount + charges[1]!.amount);
      expect(await waitFor(async () => (await f.gw.services.storage.usage.findByRequestId(ids[0]!)).length === 1)).toBe(true);
      const [usage] = await f.gw.services.storage.usage.findByRequestId(ids[0]!);
      expect(usage!.clientRequestId).toBe('client-trace-7');
    });

    it('logs one line per request under Tollgate’s id, with the client’s id beside it and the path without its query', async () => {
      // One id per storage target: both targets' servers write into this file's captured logs.
      const clientId = `client-trace-8-${target.name}`;
      const response = await f.gw.app.inject({ method: 'GET', url: '/v1/models?secret-looking=1', headers: { authorization: `Bearer ${f.key}`, 'x-request-id': clientId } });
      expect(response.statusCode).toBe(200);
      const lines = capturedLogs
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('"request completed"') && line.includes(`"${clientId}"`))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 30, service: 'tollgate', method: 'GET', path: '/v1/models', status: 200, clientRequestId: clientId, msg: 'request completed' });
      expect(lines[0]!.reqId).toMatch(/^req_[0-9A-Za-z]{20}$/);
      expect(typeof lines[0]!.ms).toBe('number');
    });
  });
}
