// Migration 015 on both databases: usage recorded before it is backfilled into both hourly
// rollups, exact prices summed to the sub-credit unit, and later writes add to the same rows.
import { describe, expect, it } from 'vitest';
import { Storage } from '../../src/storage/storage.js';
import { databaseTargets } from '../support/databases.js';
import { openMigrationDatabase } from '../support/migration-database.js';

for (const target of databaseTargets()) {
  describe(`migration 015 (usage rollups) on ${target.name}`, () => {
    it('backfills the rollups from the usage already recorded', async () => {
      const { handle, db, migrator, close } = await openMigrationDatabase(target);
      try {
        expect((await migrator.migrateTo('014-exact-charges')).error).toBeUndefined();
        const at = '2026-11-10T09:00:00.000Z';
        await db.insertInto('accounts').values({ id: 'acc_1', name: 'a', kind: 'personal', created_at: at, updated_at: at }).execute();
        const row = (i: number, createdAt: string, model: string | null, route: string | null, status: number, exact: string | null) => ({
          id: `use_${i}`, request_id: `req_${i}`, account_id: 'acc_1', key_id: i % 2 ? 'key_a' : 'key_b', model, route, status, outcome: 'ok',
          input_tokens: i, output_tokens: 2 * i, credits: 1, latency_ms: 1, failovers: 0, day: createdAt.slice(0, 10), created_at: createdAt, exact_cost: exact,
        });
        await db.insertInto('usage_records').values([
          row(1, '2026-11-10T09:05:00.000Z', 'gpt', null, 200, '0.000000000001'),
          row(3, '2026-11-10T09:59:59.999Z', 'gpt', null, 500, '12.5'),
          row(5, '2026-11-10T10:00:00.000Z', null, '/v1/http/x', 200, null),
          row(2, '2026-11-10T09:30:00.000Z', null, null, 200, '7'),
        ]).execute();

        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        const keyed = await db.selectFrom('usage_rollups_hourly').select(['hour', 'key_id', 'model', 'requests', 'errors', 'input_tokens', 'output_tokens', 'credits']).select((eb) => eb.cast('credit_units', 'text').as('credit_units')).orderBy('hour').orderBy('key_id').orderBy('model').execute();
        expect(keyed.map((r: Record<string, unknown>) => ({ ...r, requests: Number(r.requests), errors: Number(r.errors), input_tokens: Number(r.input_tokens), output_tokens: Number(r.output_tokens), credits: Number(r.credits) }))).toEqual([
          { hour: '2026-11-10T09:00:00.000Z', key_id: 'key_a', model: 'gpt', requests: 2, errors: 1, input_tokens: 4, output_tokens: 8, credits: 2, credit_units: '12500000000001' },
          { hour: '2026-11-10T09:00:00.000Z', key_id: 'key_b', model: '', requests: 1, errors: 0, input_tokens: 2, output_tokens: 4, credits: 1, credit_units: '7000000000000' },
          { hour: '2026-11-10T10:00:00.000Z', key_id: 'key_a', model: '/v1/http/x', requests: 1, errors: 0, input_tokens: 5, output_tokens: 10, credits: 1, credit_units: '0' },
        ]);

        // A later write lands on the backfilled row of its hour, in both tables.
        const storage = new Storage(handle.db);
        await storage.usage.insertMany([{ id: 'use_9', requestId: 'req_9', accountId: 'acc_1', keyId: 'key_a', model: 'gpt', route: null, provider: null, targetModel: null, sessionId: null, status: 200, outcome: 'ok', inputTokens: 1, outputTokens: 1, credits: 0, latencyMs: 1, failovers: 0, createdAt: '2026-11-10T09:45:00.000Z', exactCost: '0.5' }]);
        const day = await storage.usageRollups.grouped({ accountIds: ['acc_1'], fromHour: '2026-11-10T00:00:00.000Z', toHour: '2026-11-10T23:00:00.000Z', groupBy: 'day' });
        expect(day).toEqual([{ day: '2026-11-10', requests: 5, errors: 1, inputTokens: 12, outputTokens: 23, credits: 4, creditUnits: 20_000_000_000_001n }]);
      } finally {
        await close();
      }
    });
  });
}
