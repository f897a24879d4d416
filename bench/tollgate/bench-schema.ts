// A PostgreSQL schema of one benchmark run's own (bench_<random>), created empty and dropped at the
// end, so a run never writes into tables that were there before it. Built servers are told about it
// through their database URL alone: libpq's `options` parameter sets the connection's search_path, and
// Tollgate keeps its tables and its migration records in the connection's current schema.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema } from '../../test/support/databases-drop.js';

export interface BenchSchema {
  name: string;
  /** The database URL with this schema as its search_path: what the servers and the seeding connect to. */
  url: string;
  drop(): Promise<void>;
}

export async function createBenchSchema(databaseUrl: string): Promise<BenchSchema> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${name}`);
  } finally {
    await client.end();
  }
  return { name, url: withSearchPath(databaseUrl, name), drop: () => dropSchema(databaseUrl, name) };
}

/** The URL's other parameters (sslmode, …) are kept; an `options` it had is replaced. */
function withSearchPath(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.href;
}
