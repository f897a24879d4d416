// Migrations in a PostgreSQL database shared with other schemas: Tollgate's migrator looks only at
// its own schema. Kysely's introspection reads every table of the database and resolves each by
// name (pg_get_serial_sequence), so a table dropped in another schema between the two steps failed
// our migration with `relation "<other>.<table>" does not exist` (seen in CI, where test schemas
// come and go beside each other), and a schema the role may not use could refuse it outright.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { connectDatabase, migrateToLatest } from '../../src/storage/connect.js';
import { postgresUrl, releaseSchema, uniqueSchema } from '../support/databases.js';

describe.skipIf(!postgresUrl)('migrations beside other schemas (postgres)', () => {
  it('apply while another schema of the database creates and drops tables the whole time', async () => {
    const other = uniqueSchema();
    const churn = new pg.Client({ connectionString: postgresUrl });
    await churn.connect();
    await churn.query(`CREATE SCHEMA ${other}`);
    let churning = true;
    // Another application's DDL, as fast as the server takes it, until the migrations are done.
    const churner = (async () => {
      for (let i = 0; churning && i < 100_000; i++) {
        await churn.query(`CREATE TABLE ${other}.t${i % 4} (id serial primary key, v text)`);
        await churn.query(`DROP TABLE ${other}.t${i % 4}`);
      }
    })();
    const schemas: string[] = [];
    try {
      // Bounded: twelve fresh schemas migrated from nothing, one after another (each introspects the
      // database several times while taking its lock).
      for (let round = 0; round < 12; round++) {
        const schema = uniqueSchema();
        schemas.push(schema);
        const handle = await connectDatabase({ databaseUrl: postgresUrl, dataDir: ':memory:', schema });
        try {
          const applied = await migrateToLatest(handle);
          expect(applied[0]).toBe('001-foundation');
        } finally {
          await handle.close();
        }
      }
    } finally {
      churning = false;
      await churner;
      await churn.end();
      for (const schema of [...schemas, other]) await releaseSchema(postgresUrl!, schema);
    }
  });
});
