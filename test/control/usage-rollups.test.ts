// GET /api/v1/usage read from the hourly rollups (SPEC §8): for every grouping the rollups answer
// exactly what the raw usage records add up to, bounded by from/to, on every storage target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import type { UsageRecord } from '../../src/storage/usage-records.js';
import { decimalToUnits, unitsToDecimal } from '../../src/core/sub-credits.js';

const MODELS: Array<[string | null, string | null]> = [['gpt-4o', null], ['claude-3', null], [null, '/v1/http/search'], [null, null]];

/** 90 records over three days and many hours, two keys, four models (one a route, one neither), some failed, some charged fractions. */
function records(accountId: string, keys: string[]): UsageRecord[] {
  return Array.from({ length: 90 }, (_, i) => {
    const [model, route] = MODELS[i % MODELS.length]!;
    const createdAt = new Date(Date.UTC(2026, 10, 10 + (i % 3), (i * 7) % 24, (i * 13) % 60, i % 60, i)).toISOString();
    return {
      id: `use_${i}`,
      requestId: `req_${i}`,
      accountId,
      keyId: keys[i % keys.length]!,
      model,
      route,
      provider: null,
      targetModel: null,
      sessionId: null,
      status: i % 5 === 0 ? 502 : 200,
      outcome: i % 5 === 0 ? 'failed' : 'ok',
      inputTokens: 10 + i,
      outputTokens: 2 * i,
      credits: i % 4,
      latencyMs: 5,
      failovers: 0,
      createdAt,
      exactCost: i % 6 === 0 ? null : `${i % 4}.${String(123456789 * (i + 1)).slice(0, 9)}`,
    };
  });
}

interface Row {
  day?: string;
  hour?: string;
  account_id?: string;
  key_id?: string;
  model?: string | null;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  credits: number;
  exact_cost: string;
}

/** What the raw records add up to, per group, as the API would show it. */
function expected(list: UsageRecord[], groupOf: (r: UsageRecord) => Record<string, string | null>): Row[] {
  const groups = new Map<string, { dims: Record<string, string | null>; sums: Omit<Row, 'exact_cost'>; units: bigint }>();
  for (const r of list) {
    const dims = groupOf(r);
    const id = JSON.stringify(dims);
    const g = groups.get(id) ?? { dims, sums: { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, credits: 0 }, units: 0n };
    g.sums.requests += 1;
    g.sums.errors += r.status >= 400 ? 1 : 0;
    g.sums.input_tokens += r.inputTokens;
    g.sums.output_tokens += r.outputTokens;
    g.sums.credits += r.credits;
    g.units += r.exactCost ? decimalToUnits(r.exactCost) : 0n;
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => ({ ...g.dims, ...g.sums, exact_cost: unitsToDecimal(g.units) }));
}

const byDims = (a: Row, b: Row) => JSON.stringify([a.day, a.hour, a.key_id, a.model]).localeCompare(JSON.stringify([b.day, b.hour, b.key_id, b.model]));

for (const target of databaseTargets()) {
  describe(`usage from hourly rollups on ${target.name}`, () => {
    let gw: TestGateway;
    let user: SignedIn;
    let accountId: string;
    let keys: string[];
    let raw: UsageRecord[];
    beforeAll(async () => {
      gw = await startTestGateway({ target });
      user = await signUp(gw.app);
      accountId = (await gw.services.storage.accounts.findPersonal(user.userId))!.id;
      keys = [(await createKey(gw.app, user, { name: 'one' })).id, (await createKey(gw.app, user, { name: 'two' })).id];
      raw = records(accountId, keys);
      // Two batches, so rows of one hour are incremented by a second statement, not only inserted.
      await gw.services.storage.usage.insertMany(raw.slice(0, 40));
      await gw.services.storage.usage.insertMany(raw.slice(40));
    });
    afterAll(() => gw?.close());

    async function usage(query: string): Promise<{ data: Row[]; totals: Omit<Row, 'day'> } & Record<string, unknown>> {
      const response = await gw.app.inject({ url: `/api/v1/usage?from=2026-11-10&to=2026-11-12&${query}`, headers: user.auth });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    }

    const modelOf = (r: UsageRecord) => r.model ?? r.route;
    const hourOf = (r: UsageRecord) => `${r.createdAt.slice(0, 13)}:00:00.000Z`;

    it('answers group_by=day with the sums of the raw records of each day, oldest first', async () => {
      const body = await usage('group_by=day');
      expect(body.group_by).toBe('day');
      expect(body.data).toEqual(expected(raw, (r) => ({ day: r.createdAt.slice(0, 10) })).sort(byDims));
      expect(body.data.map((r) => r.day)).toEqual(['2026-11-10', '2026-11-11', '2026-11-12']);
      expect(body.totals).toEqual({ ...expected(raw, () => ({}))[0] });
    });

    it('answers group_by=hour per hour', async () => {
      const body = await usage('group_by=hour');
      expect(body.data).toEqual(expected(raw, (r) => ({ hour: hourOf(r) })).sort(byDims));
    });

    it('answers group_by=key and group_by=model', async () => {
      expect((await usage('group_by=key')).data.sort(byDims)).toEqual(expected(raw, (r) => ({ account_id: r.accountId, key_id: r.keyId })).sort(byDims));
      expect((await usage('group_by=model')).data.sort(byDims)).toEqual(expected(raw, (r) => ({ model: modelOf(r) })).sort(byDims));
    });

    it('answers without group_by per day, key and model, as before rollups', async () => {
      const body = await usage('');
      expect(body.group_by).toBeUndefined();
      expect(body.data.sort(byDims)).toEqual(expected(raw, (r) => ({ day: r.createdAt.slice(0, 10), account_id: r.accountId, key_id: r.keyId, model: modelOf(r) })).sort(byDims));
    });

    it('narrows by key and by model', async () => {
      const one = await usage(`group_by=day&key_id=${keys[0]}`);
      expect(one.data).toEqual(expected(raw.filter((r) => r.keyId === keys[0]), (r) => ({ day: r.createdAt.slice(0, 10) })).sort(byDims));
      const route = await usage(`group_by=hour&model=${encodeURIComponent('/v1/http/search')}`);
      expect(route.data).toEqual(expected(raw.filter((r) => r.route === '/v1/http/search'), (r) => ({ hour: hourOf(r) })).sort(byDims));
    });

    it('keeps to the hours between from and to, both included', async () => {
      const oneDay = await gw.app.inject({ url: '/api/v1/usage?from=2026-11-11&to=2026-11-11&group_by=hour', headers: user.auth });
      expect(oneDay.json().data).toEqual(expected(raw.filter((r) => r.createdAt.startsWith('2026-11-11')), (r) => ({ hour: hourOf(r) })).sort(byDims));
      const from = '2026-11-10T07:30:00Z';
      const to = '2026-11-10T14:00:00Z';
      const hours = await gw.app.inject({ url: `/api/v1/usage?from=${from}&to=${to}&group_by=hour`, headers: user.auth });
      const inside = raw.filter((r) => hourOf(r) >= '2026-11-10T07:00:00.000Z' && hourOf(r) <= '2026-11-10T14:00:00.000Z');
      expect(inside.length).toBeGreaterThan(0);
      expect(hours.json().data).toEqual(expected(inside, (r) => ({ hour: hourOf(r) })).sort(byDims));
      expect((await gw.app.inject({ url: '/api/v1/usage?from=2026-11-12&to=2026-11-10', headers: user.auth })).statusCode).toBe(422);
      expect((await gw.app.inject({ url: '/api/v1/usage?group_by=week', headers: user.auth })).statusCode).toBe(422);
    });

    it("refuses another account's key_id as a key that does not exist", async () => {
      const stranger = await signUp(gw.app);
      const response = await gw.app.inject({ url: `/api/v1/usage?from=2026-11-10&to=2026-11-12&key_id=${keys[0]}`, headers: stranger.auth });
      expect(response.statusCode).toBe(404);
      expect((await gw.app.inject({ url: '/api/v1/usage?from=2026-11-10&to=2026-11-12&group_by=day', headers: stranger.auth })).json().data).toEqual([]);
    });
  });
}
