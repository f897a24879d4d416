// CompiledInsert and CompiledList (src/storage/compiled-statement.ts): the SQL each database is sent
// is Kysely's own for those rows or items, the values are bound in its order, a batch goes in chunks
// (a list's answer is every chunk's rows), and a statement whose values are not just the rows' is
// refused instead of bound wrongly.
import { describe, expect, it } from 'vitest';
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteQueryCompiler,
  sql,
  type DatabaseConnection,
  type Dialect,
  type QueryResult,
} from 'kysely';
import { CompiledInsert, CompiledList } from '../../src/storage/compiled-statement.js';
import type { Tables } from '../../src/storage/schema.js';

/** A database that records what it is sent, and answers one row per parameter: `{ id: parameter }`. */
function recordingDb(dialect: 'sqlite' | 'postgres'): { db: Kysely<Tables>; sent: CompiledQuery[] } {
  const sent: CompiledQuery[] = [];
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      sent.push(query);
      return { rows: query.parameters.map((id) => ({ id })) as R[] };
    },
    async *streamQuery() {
      throw new Error('not used');
    },
  };
  class RecordingDriver extends DummyDriver {
    override async acquireConnection(): Promise<DatabaseConnection> {
      return connection;
    }
  }
  const sqliteDialect = dialect === 'sqlite';
  const recording: Dialect = {
    createAdapter: () => (sqliteDialect ? new SqliteAdapter() : new PostgresAdapter()),
    createDriver: () => new RecordingDriver(),
    createIntrospector: () => {
      throw new Error('not used');
    },
    createQueryCompiler: () => (sqliteDialect ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
  };
  return { db: new Kysely<Tables>({ dialect: recording }), sent };
}

interface Row {
  accountId: string;
  hour: string;
  model: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  credits: number;
  creditUnits: string;
}
const rows = (count: number, from = 0): Row[] =>
  Array.from({ length: count }, (_, offset) => {
    const i = from + offset;
    return {
      accountId: `acc_${i}`,
      hour: '2026-11-30T10:00:00.000Z',
      model: i % 2 ? '' : 'gpt-4o',
      requests: i,
      errors: 0,
      inputTokens: 7 * i,
      outputTokens: 4 * i,
      credits: i % 3,
      creditUnits: String(1234n * BigInt(i)),
    };
  });

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`CompiledInsert on ${dialect}`, () => {
    it('sends Kysely’s own statement with the rows’ values, 32 rows at a time', async () => {
      const { db, sent } = recordingDb(dialect);
      const insert = new CompiledInsert<Row>((kysely, batch) => kysely.insertInto('usage_account_rollups_hourly').values(batch));
      await insert.run(db, rows(70));
      expect(sent.map((query) => query.parameters.length)).toEqual([32 * 9, 32 * 9, 6 * 9]);
      const chunks = [rows(32), rows(32, 32), rows(6, 64)];
      chunks.forEach((chunk, i) => {
        const own = db.insertInto('usage_account_rollups_hourly').values(chunk).compile();
        expect(sent[i]!.sql).toBe(own.sql);
        expect(sent[i]!.parameters).toEqual(own.parameters);
      });
    });

    it('reuses the text of a size it has compiled, with the new rows’ values', async () => {
      const { db, sent } = recordingDb(dialect);
      let builds = 0;
      const insert = new CompiledInsert<Row>((kysely, batch) => {
        builds += 1;
        return kysely.insertInto('usage_account_rollups_hourly').values(batch);
      });
      await insert.run(db, rows(3));
      await insert.run(db, rows(3, 100));
      expect(builds).toBe(1);
      expect(sent[1]!.parameters).toEqual(db.insertInto('usage_account_rollups_hourly').values(rows(3, 100)).compile().parameters);
    });

    it('refuses a statement with a value of its own, which bound by position would shift the rows’', async () => {
      const { db, sent } = recordingDb(dialect);
      const insert = new CompiledInsert<Row>((kysely, batch) =>
        kysely
          .insertInto('usage_account_rollups_hourly')
          .values(batch)
          .onConflict((oc) => oc.columns(['accountId', 'hour', 'model']).doUpdateSet({ requests: sql<number>`${1} + 1` })),
      );
      await expect(insert.run(db, rows(2))).rejects.toThrow("the statement's parameters are not the values given, in order");
      expect(sent).toEqual([]);
    });
  });

  describe(`CompiledList on ${dialect}`, () => {
    const ids = (count: number) => Array.from({ length: count }, (_, i) => `led_${i}`);
    const deleteThese = (kysely: Kysely<Tables>, batch: string[]) => kysely.deleteFrom('credit_reservations').where('id', 'in', batch).returning('id');

    it('sends Kysely’s own statement 32 items at a time and answers the rows of every chunk, in order', async () => {
      const { db, sent } = recordingDb(dialect);
      const list = new CompiledList(deleteThese);
      const answer = await list.run(db, ids(70));
      expect(sent.map((query) => query.parameters.length)).toEqual([32, 32, 6]);
      expect(sent[2]!.sql).toBe(deleteThese(db, ids(6)).compile().sql);
      expect(answer).toEqual(ids(70).map((id) => ({ id })));
    });

    it('refuses parameters that are not the statement’s own values, in order', async () => {
      const { db, sent } = recordingDb(dialect);
      const list = new CompiledList(deleteThese, (batch) => [...batch].reverse());
      await expect(list.run(db, ids(2))).rejects.toThrow("the statement's parameters are not the values given, in order");
      expect(sent).toEqual([]);
    });
  });
}
