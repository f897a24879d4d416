// The storage targets every contract suite runs on: SQLite always; PostgreSQL whenever
// TOLLGATE_TEST_DATABASE_URL is set (CI sets it), each run in a schema of its own.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { dropSchema } from './databases-drop.js';

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


/**
 * Hands a test's schema back when the test is done with it. Inside the suite it is dropped when the
 * whole run ends (test/support/schema-teardown.ts), not at once: Kysely's migrator listed the tables
 * of every schema, and a schema dropped by one file while another file migrated made that
 * migration fail with "schema … does not exist". Our migrator now looks at its own schema only
 * (src/storage/own-schema-introspector.ts); the late drop stays, as it costs nothing. Outside a
 * run it is dropped now.
 */
export async function releaseSchema(databaseUrl: string, schema: string): Promise<void> {
  const dir = insideTestRun() ? inject('retiredSchemaDir') : undefined;
  if (dir) writeFileSync(join(dir, schema), databaseUrl);
  else await dropSchema(databaseUrl, schema);
}

function insideTestRun(): boolean {
  return process.env.VITEST !== undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where test files leave the names of schemas to drop when the run ends. */
    retiredSchemaDir: string | undefined;
  }
}
