// What a database error means, read the same way from PostgreSQL, better-sqlite3 (Node 20/22) and
// node:sqlite (Node 24+). better-sqlite3 names SQLite's result code (`SQLITE_CONSTRAINT_UNIQUE`),
// node:sqlite puts the number in `errcode` under a generic `ERR_SQLITE_ERROR`, PostgreSQL uses
// SQLSTATE: storage code that looked for one shape turned a lost race into a 500 on another runtime.
export type DatabaseErrorKind = 'unique_violation' | 'unavailable' | 'other';

// https://www.sqlite.org/rescode.html: extended codes keep the primary code in their low byte.
const SQLITE_BUSY = 5;
const SQLITE_IOERR = 10;
const SQLITE_CANTOPEN = 14;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

const UNIQUE_CODES = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND',
  // PostgreSQL: shutting down, cannot connect now, connection exceptions.
  '57P01', '57P03', '08000', '08001', '08003', '08006',
  'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR',
]);

export function databaseErrorKind(error: unknown): DatabaseErrorKind {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  if (typeof errcode === 'number') {
    if (errcode === SQLITE_CONSTRAINT_UNIQUE || errcode === SQLITE_CONSTRAINT_PRIMARYKEY) return 'unique_violation';
    if ([SQLITE_BUSY, SQLITE_IOERR, SQLITE_CANTOPEN].includes(errcode & 0xff)) return 'unavailable';
    return 'other';
  }
  if (typeof code === 'string') {
    if (UNIQUE_CODES.has(code)) return 'unique_violation';
    if (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR')) return 'unavailable';
  }
  return 'other';
}

/**
 * True when the database cannot be reached at all (refused, reset, shutting down, a pool ended),
 * as opposed to a query it refused: callers answer 503 `unavailable` for these, never a 500.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (databaseErrorKind(error) === 'unavailable') return true;
  const message = error instanceof Error ? error.message : '';
  return /connection (terminated|refused|closed)|database connection is not open|pool .*(ended|closed)|timeout exceeded when trying to connect/i.test(message);
}

export function isUniqueViolation(error: unknown): boolean {
  return databaseErrorKind(error) === 'unique_violation';
}
