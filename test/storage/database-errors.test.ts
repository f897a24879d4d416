// Both SQLite drivers (better-sqlite3 on Node 20/22, node:sqlite on Node 24+) and PostgreSQL report
// a unique-index clash and a busy database in their own shapes; storage code must read them alike,
// or a lost race (two requests opening one session) becomes a 500 on one runtime only.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseErrorKind } from '../../src/storage/database-errors.js';
import { openSqlite, type SqliteDriverName } from '../../src/storage/sqlite-driver.js';

const require = createRequire(import.meta.url);
const hasNodeSqlite = (() => {
  try {
    require('node:sqlite');
    return true;
  } catch {
    return false;
  }
})();
const hasBetterSqlite = (() => {
  try {
    require('better-sqlite3');
    return Number(process.versions.node.split('.')[0]) < 24;
  } catch {
    return false;
  }
})();

/** The error a real driver throws for a duplicate primary key and for a duplicate unique column. */
function clashes(driver: SqliteDriverName): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-dberr-'));
  const db = openSqlite(join(dir, 'x.db'), { driver });
  const errors: unknown[] = [];
  try {
    db.prepare('CREATE TABLE t (id TEXT PRIMARY KEY, email TEXT UNIQUE)').run([]);
    db.prepare('INSERT INTO t VALUES (?, ?)').run(['a', 'x@example.com']);
    for (const row of [['a', 'y@example.com'], ['b', 'x@example.com']]) {
      try {
        db.prepare('INSERT INTO t VALUES (?, ?)').run(row);
      } catch (error) {
        errors.push(error);
      }
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return errors;
}

describe('database errors read alike on every driver', () => {
  it.skipIf(!hasNodeSqlite)('reads a unique clash from node:sqlite as a unique violation', () => {
    const errors = clashes('node:sqlite');
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(databaseErrorKind(error)).toBe('unique_violation');
  });

  it.skipIf(!hasBetterSqlite)('reads a unique clash from better-sqlite3 as a unique violation', () => {
    const errors = clashes('better-sqlite3');
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(databaseErrorKind(error)).toBe('unique_violation');
  });

  it.each([
    ['PostgreSQL unique', { code: '23505' }, 'unique_violation'],
    ['node:sqlite unique', { code: 'ERR_SQLITE_ERROR', errcode: 2067, errstr: 'constraint failed' }, 'unique_violation'],
    ['node:sqlite primary key', { code: 'ERR_SQLITE_ERROR', errcode: 1555 }, 'unique_violation'],
    ['node:sqlite busy', { code: 'ERR_SQLITE_ERROR', errcode: 5 }, 'unavailable'],
    ['better-sqlite3 busy', { code: 'SQLITE_BUSY' }, 'unavailable'],
    ['PostgreSQL shutting down', { code: '57P01' }, 'unavailable'],
    ['a refused connection', { code: 'ECONNREFUSED' }, 'unavailable'],
    ['node:sqlite check constraint', { code: 'ERR_SQLITE_ERROR', errcode: 275 }, 'other'],
    ['anything else', new Error('boom'), 'other'],
  ])('reads %s', (_name, error, kind) => {
    expect(databaseErrorKind(error)).toBe(kind);
  });
});
