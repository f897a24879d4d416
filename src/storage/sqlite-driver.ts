// Opens an SQLite database for Kysely with the driver that is safe on the running Node.js:
// better-sqlite3 on Node 20 and 22, the built-in node:sqlite on Node 24 and later. better-sqlite3
// before 13 aborts the process on Node ≥ 24.19 when a statement is garbage-collected outside a JS
// context (ObjectWrap cleanup-hook assertion), and 13 no longer supports Node 20 — so each
// runtime gets the driver that works there. Both speak the same SQL to the same file format.
import { createRequire } from 'node:module';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const require = createRequire(import.meta.url);

export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite';

const PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON', 'busy_timeout = 5000'];

export function sqliteDriverFor(nodeVersion = process.versions.node): SqliteDriverName {
  const major = Number(nodeVersion.split('.')[0]);
  return major >= 24 ? 'node:sqlite' : 'better-sqlite3';
}

/** The minimal slice of node:sqlite used here (its types ship with @types/node ≥ 22 only). */
interface NodeStatementSync {
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...parameters: unknown[]): IterableIterator<unknown>;
  columns(): unknown[];
}
interface NodeDatabaseSync {
  exec(sql: string): void;
  prepare(sql: string): NodeStatementSync;
  close(): void;
}

function openNodeSqlite(file: string, pragmas: readonly string[]): SqliteDatabase {
  const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (path: string) => NodeDatabaseSync };
  const db = new DatabaseSync(file);
  for (const pragma of pragmas) db.exec(`PRAGMA ${pragma}`);
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const statement = db.prepare(sql);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...parameters),
        run: (parameters) => statement.run(...parameters),
        iterate: (parameters) => statement.iterate(...parameters),
      };
    },
  };
}

function openBetterSqlite(file: string, pragmas: readonly string[]): SqliteDatabase {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(file);
  for (const pragma of pragmas) db.pragma(pragma);
  return db;
}

export interface OpenSqliteOptions {
  driver?: SqliteDriverName;
  /** Pages in the write-ahead log at which a commit checkpoints it (SQLite's default: 1,000). */
  autocheckpointPages?: number;
}

export function openSqlite(file: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  const driver = options.driver ?? sqliteDriverFor();
  const pragmas = options.autocheckpointPages === undefined ? PRAGMAS : [...PRAGMAS, `wal_autocheckpoint = ${Math.floor(options.autocheckpointPages)}`];
  return withStatementCache(driver === 'node:sqlite' ? openNodeSqlite(file, pragmas) : openBetterSqlite(file, pragmas));
}

/**
 * Kysely prepares every query it runs; compiling the same SQL again on each request was ~12% of the
 * data plane's CPU (bench/results/profile.md). Prepared statements are reusable, so the most recent
 * 256 distinct SQL texts are kept. Safe with Kysely's single SQLite connection: its mutex lets one
 * query (or stream) use the connection at a time, so a statement is never run twice at once.
 */
function withStatementCache(db: SqliteDatabase, maxStatements = 256): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        if (statements.size >= maxStatements) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
