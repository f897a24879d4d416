// Fills the api_keys table fast for the benchmarks: batches of 10,000 rows per INSERT … SELECT
// inside one transaction, the rows passed as a single parameter each (SQLite: a JSON array read
// with json_each(); PostgreSQL: three text arrays read with unnest()), so the statement stays
// small and nothing is compiled per row. `validCount` rows, spread evenly over the id range, are
// real keys whose HMAC the gateway accepts — the caller hashes them with Tollgate's own KeyService —
// and their plaintexts are returned; the other rows are filler with random hashes, there to make the
// table (and its index) as big as a real deployment's. The keys are for throwaway benchmark
// databases only: their secrets come from a fast, slightly biased generator, not Tollgate's.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { BASE62_ALPHABET } from '../../src/core/base62.js';
import { formatKey, KEY_ID_LENGTH, KEY_SECRET_LENGTH } from '../../src/core/key-format.js';
import type { Dialect } from '../../src/storage/connect.js';
import type { Database } from '../../src/storage/schema.js';

export interface SeedKeysOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Rows to add. */
  count: number;
  /** How many of them are usable keys (their plaintexts are returned). */
  validCount: number;
  accountId: string;
  /** The keys' creator (a real user row: the gateway checks that the creator is still active). */
  userId: string;
  prefix: string;
  /** Tollgate's key hash (KeyService.hash): the HMAC the gateway compares against. */
  hash(key: string): string;
  /** Called after each batch with the rows written so far. */
  onProgress?(written: number): void;
}

export interface SeededKeys {
  keys: string[];
  rows: number;
  seconds: number;
}

const BATCH_ROWS = 10_000;

/** Random bytes drawn a megabyte at a time: one call per id would cost more than the inserts. */
class RandomPool {
  private buffer = Buffer.alloc(0);
  private at = 0;

  take(length: number): Buffer {
    if (this.at + length > this.buffer.length) {
      this.buffer = randomBytes(Math.max(1 << 20, length));
      this.at = 0;
    }
    this.at += length;
    return this.buffer.subarray(this.at - length, this.at);
  }
}

/** Fast base62 for bench data (a byte mod 62 is slightly biased: irrelevant for test rows). */
function fastBase62(pool: RandomPool, length: number): string {
  const bytes = pool.take(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62_ALPHABET[bytes[i]! % 62];
  return out;
}

interface Row {
  id: string;
  keyPrefix: string;
  hash: string;
}

export async function seedApiKeys(options: SeedKeysOptions): Promise<SeededKeys> {
  const started = performance.now();
  const { count, prefix } = options;
  const validCount = Math.min(options.validCount, count);
  const at = new Date().toISOString();
  // Ids are drawn up front and inserted in sorted order: the primary-key B-tree then grows at its
  // right edge instead of touching a random page per row (10× faster once the index outgrows the
  // page cache). The usable keys are spread evenly over the id range, so lookups hit all of it.
  const random = new RandomPool();
  const ids = new Set<string>();
  while (ids.size < count) ids.add(fastBase62(random, KEY_ID_LENGTH));
  const sortedIds = [...ids].sort();
  ids.clear();
  const stride = validCount > 0 ? Math.floor(count / validCount) : Number.POSITIVE_INFINITY;
  const keys: string[] = [];
  const nextRow = (index: number): Row => {
    const keyId = sortedIds[index]!;
    const keyPrefix = `${prefix}_live_${keyId}`;
    if (index % stride === 0 && keys.length < validCount) {
      const key = formatKey(prefix, 'live', keyId, fastBase62(random, KEY_SECRET_LENGTH));
      keys.push(key);
      return { id: `key_${keyId}`, keyPrefix, hash: options.hash(key) };
    }
    return { id: `key_${keyId}`, keyPrefix, hash: random.take(32).toString('hex') };
  };
  await options.db.transaction().execute(async (trx) => {
    for (let start = 0; start < count; start += BATCH_ROWS) {
      const rows = Array.from({ length: Math.min(BATCH_ROWS, count - start) }, (_, i) => nextRow(start + i));
      if (options.dialect === 'postgres') await insertPostgres(trx, rows, options, at);
      else await insertSqlite(trx, rows, options, at);
      options.onProgress?.(start + rows.length);
    }
  });
  return { keys, rows: count, seconds: (performance.now() - started) / 1000 };
}

async function insertSqlite(db: Kysely<Database>, rows: readonly Row[], options: SeedKeysOptions, at: string): Promise<void> {
  const json = JSON.stringify(rows.map((r) => [r.id, r.keyPrefix, r.hash]));
  await sql`
    INSERT INTO api_keys (id, account_id, created_by, kind, name, key_prefix, environment, secret_hash,
                          allowed_origins, scopes, is_default, created_at, updated_at)
    SELECT value ->> 0, ${options.accountId}, ${options.userId}, 'personal', NULL, value ->> 1, 'live', value ->> 2,
           '[]', '[]', 0, ${at}, ${at}
    FROM json_each(${json})
  `.execute(db);
}

async function insertPostgres(db: Kysely<Database>, rows: readonly Row[], options: SeedKeysOptions, at: string): Promise<void> {
  // Three array parameters instead of 130,000 scalar ones (PostgreSQL caps a statement at 65,535).
  await sql`
    INSERT INTO api_keys (id, account_id, created_by, kind, name, key_prefix, environment, secret_hash,
                          allowed_origins, scopes, is_default, created_at, updated_at)
    SELECT t.id, ${options.accountId}, ${options.userId}, 'personal', NULL, t.key_prefix, 'live', t.secret_hash,
           '[]', '[]', 0, ${at}, ${at}
    FROM unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.keyPrefix)}::text[], ${rows.map((r) => r.hash)}::text[])
      AS t(id, key_prefix, secret_hash)
  `.execute(db);
}
