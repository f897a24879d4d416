// Opens the database: SQLite (see sqlite-driver.ts) in the data directory by default, PostgreSQL (pg)
// when a postgres:// URL is given. Both speak the same Kysely schema.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, sql, type MigrationProvider } from 'kysely';
import { migrationsFor } from './migrations/index.js';
import { OwnSchemaPostgresDialect } from './own-schema-introspector.js';
import { nameRegisteredStatements } from './prepared-statements.js';
import { DEFAULT_CHECKPOINT_PAGES, SAFETY_CHECKPOINT_PAGES, startSqliteCheckpointer, type SqliteCheckpointer } from './sqlite-checkpointer.js';
import { openSqlite, sqliteDriverFor } from './sqlite-driver.js';
import type { Database, Dialect } from './schema.js';

export type { Dialect };

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL schema in use, when one was given. */
  schema?: string | undefined;
  /** SQLite with checkpointInBackground: the thread that checkpoints its log. */
  checkpointer?: SqliteCheckpointer | undefined;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** postgres:// URL; unset means SQLite. */
  databaseUrl?: string | undefined;
  /** Where the SQLite file lives; ':memory:' is allowed for tests. */
  dataDir: string;
  /** PostgreSQL schema to use (created if missing): test runs isolate themselves with it. */
  schema?: string | undefined;
  poolSize?: number;
  /**
   * Told when an idle pooled connection dies (PostgreSQL restarted or went away). Without a listener
   * pg's pool re-emits it as an unhandled 'error' and the process crashes; the pool has already
   * dropped that connection, and the next query reports the outage to its caller.
   */
  onIdleConnectionError?: (error: Error) => void;
  /**
   * SQLite in a file: checkpoint the write-ahead log from a thread of its own (sqlite-checkpointer.ts),
   * not inside the commits of the server's thread. Told if that thread fails (the commits checkpoint again).
   */
  checkpointInBackground?: { onFailure(error: Error): void } | undefined;
}

export async function connectDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    // Loaded only here: a node on the embedded SQLite never loads the PostgreSQL driver.
    const { default: pg } = await import('pg');
    // int8 (bigint, bigserial) arrives as a string by default; our integers stay below 2^53.
    const pgTypes = {
      getTypeParser(oid: number, format?: 'text' | 'binary') {
        if (oid === 20) return (value: string) => Number(value);
        return pg.types.getTypeParser(oid, format);
      },
    };
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
    if (schema) {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await client.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      types: pgTypes,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    pool.on('error', (error) => options.onIdleConnectionError?.(error));
    // The pool listens for errors on idle connections only. A connection checked out between two
    // statements (inside a transaction) that PostgreSQL closes would otherwise raise an uncaught
    // "Connection terminated unexpectedly" and end the process; its user learns of it from the
    // next statement, which fails, so this listener only keeps the error from being unhandled.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      nameRegisteredStatements(client);
    });
    const db = new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool }) });
    // Without an explicit schema, pin the migration tables to the connection's current schema so
    // another application's Kysely tables elsewhere in the same database are never mistaken for ours.
    const current = schema ?? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
    return { db, dialect: 'postgres', schema: current, close: () => db.destroy() };
  }
  const file = options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir, 'tollgate.db');
  if (file !== ':memory:') mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const background = file === ':memory:' ? undefined : options.checkpointInBackground;
  const driver = sqliteDriverFor();
  const database = openSqlite(file, { driver, ...(background ? { autocheckpointPages: SAFETY_CHECKPOINT_PAGES } : {}) });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const checkpointer = background
    ? startSqliteCheckpointer({
        file,
        driver,
        onFailure(error) {
          database.prepare(`PRAGMA wal_autocheckpoint = ${DEFAULT_CHECKPOINT_PAGES}`).all([]);
          background.onFailure(error);
        },
      })
    : undefined;
  return {
    db,
    dialect: 'sqlite',
    checkpointer,
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

function migrator(handle: DatabaseHandle): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(handle.dialect) };
  // Kysely looks for its migration tables in every schema unless told which one: without this, a
  // schema being set up while another schema of the same database has them skips creating its own.
  return new Migrator({ db: handle.db, provider, ...(handle.schema ? { migrationTableSchema: handle.schema } : {}) });
}

/** Applies pending migrations; Kysely's migrator takes a lock, so concurrent nodes are safe. */
export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  const { error, results } = await migrator(handle).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied (used by /readyz). */
export async function migrationsCurrent(handle: DatabaseHandle): Promise<boolean> {
  const migrations = await migrator(handle).getMigrations();
  return migrations.every((m) => m.executedAt !== undefined);
}
