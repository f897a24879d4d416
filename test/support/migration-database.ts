// A database of a test's own, to be migrated step by step (the migration tests): SQLite in a
// temporary directory or a PostgreSQL schema of its own, a Migrator over it, and one close that
// removes both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { connectDatabase, type DatabaseHandle } from '../../src/storage/connect.js';
import { migrationsFor } from '../../src/storage/migrations/index.js';
import { releaseSchema, uniqueSchema, type DatabaseTarget } from './databases.js';

export interface MigrationDatabase {
  handle: DatabaseHandle;
  /** Untyped: a migration test writes tables as they were before the migration under test. */
  db: Kysely<any>;
  migrator: Migrator;
  close(): Promise<void>;
}

export async function openMigrationDatabase(target: DatabaseTarget): Promise<MigrationDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-mig-'));
  const schema = target.databaseUrl ? uniqueSchema() : undefined;
  const handle = await connectDatabase({ databaseUrl: target.databaseUrl, dataDir, schema });
  const migrator = new Migrator({ db: handle.db, provider: { getMigrations: async () => migrationsFor(handle.dialect) }, ...(schema ? { migrationTableSchema: schema } : {}) });
  return {
    handle,
    db: handle.db as unknown as Kysely<any>,
    migrator,
    async close() {
      await handle.close();
      if (target.databaseUrl && schema) await releaseSchema(target.databaseUrl, schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
