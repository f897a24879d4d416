// The storage targets every contract suite runs on: SQLite always; PostgreSQL whenever
// TOLLGATE_TEST_DATABASE_URL is set (CI sets it), each run in a schema of its own.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface DatabaseTarget {
  name: 'sqlite' | 'postgres';
  databaseUrl: string | undefined;
}

export const postgresUrl = process.env.TOLLGATE_TEST_DATABASE_URL || undefined;
export const redisUrl = process.env.TOLLGATE_TEST_REDIS_URL || undefined;

let warned = false;
export function databaseTargets(): DatabaseTarget[] {
  if (!postgresUrl && !warned) {
    warned = true;
    console.warn('PostgreSQL suites skipped: set TOLLGATE_TEST_DATABASE_URL=postgres://… to run them.');
  }
  return [
    { name: 'sqlite', databaseUrl: undefined },
    ...(postgresUrl ? [{ name: 'postgres' as const, databaseUrl: postgresUrl }] : []),
  ];
}

export function uniqueSchema(): string {
  return `tg_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
