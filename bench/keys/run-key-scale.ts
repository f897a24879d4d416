// Key lookups at scale (issue #6 item 4): the data plane's own key check, in-process, with the key
// table holding each of `keyScaleSizes` keys (1,000 and 1,000,000 by default), on SQLite and — when
// BENCH_DATABASE_URL is set — on PostgreSQL (a schema of its own, dropped afterwards).
//
// - warm: `verifyKey` with the gateway's own key cache, pre-filled with the 1,000 keys the run
//   cycles through — parse and checksum, cache hit, HMAC and constant-time compare, state and origin.
// - miss: the same `verifyKey` over a KeyCache that trusts nothing (max age 0), cycling
//   through up to 10,000 keys spread evenly over the whole table: every verification reads the key
//   row and its creator from the database.
//
// Each at 1 and 16 verifications in flight, `repeats` times for `keyScaleDurationS`; medians reported.
import type { BenchConfig } from '../bench-config.js';
import type { KeyScaleCase, KeyScaleReport } from '../bench-result.js';
import { keyVerifier } from '../../src/http/authenticate.js';
import { KeyCache } from '../../src/keys/key-cache.js';
import { verifyKey } from '../../src/keys/verify-key.js';
import { median } from '../percentile.js';
import { openKeyDatabase, type KeyDatabase } from './key-database.js';
import { measureVerifications, type VerificationRun } from './measure-verifications.js';
import { seedApiKeys } from './seed-api-keys.js';

/** Name of this part of the run in BENCH_TARGETS. */
export const KEY_SCALE = 'keys';
const WARM_KEYS = 1_000;
const MISS_KEYS = 10_000;
const CONCURRENCY = [1, 16] as const;

export const KEY_SCALE_METHOD =
  'In-process, through the data plane\'s key check (src/keys/verify-key.ts). ' +
  `**warm**: \`verifyKey\` with the gateway's key cache holding the ${WARM_KEYS.toLocaleString('en-US')} keys cycled through. ` +
  `**miss**: the same check over a key cache that trusts nothing, cycling through up to ${MISS_KEYS.toLocaleString('en-US')} keys spread over the whole table, ` +
  'so each verification reads the key row and its creator from the database. Every verification includes parsing, the checksum, ' +
  'the HMAC-SHA-256 of the presented key and its constant-time comparison. The harness runs on the load CPU; PostgreSQL is a local server, unpinned.';

export async function runKeyScale(config: BenchConfig, log: (line: string) => void): Promise<KeyScaleReport> {
  const report: KeyScaleReport = { method: KEY_SCALE_METHOD, seeding: [], cases: [], skipped: [], flatness: [] };
  const databases: Array<{ name: 'sqlite' | 'postgres'; url: string | undefined }> = [{ name: 'sqlite', url: undefined }];
  if (config.databaseUrl) databases.push({ name: 'postgres', url: config.databaseUrl });
  else {
    const line = 'PostgreSQL skipped: set BENCH_DATABASE_URL=postgres://… to measure key lookups on PostgreSQL too';
    log(`  ${line}`);
    report.skipped.push(line);
  }
  const tables: Table[] = [];
  try {
    // Every table is seeded first and the measurements of one repeat then visit them all in turn,
    // so a slow drift of the machine's load spreads over every size instead of favouring one.
    for (const database of databases) {
      for (const size of config.keyScaleSizes) {
        const keyDb = await openKeyDatabase(database.url);
        tables.push({ database: database.name, size, keyDb, keys: [], runs: new Map() });
        const table = tables[tables.length - 1]!;
        const seeded = await seedApiKeys({
          db: keyDb.services.storage.db,
          dialect: keyDb.services.database.dialect,
          count: size,
          validCount: Math.min(size, MISS_KEYS),
          accountId: keyDb.accountId,
          userId: keyDb.userId,
          prefix: keyDb.services.config.keyPrefix,
          hash: (key) => keyDb.services.keys.hash(key),
        });
        table.keys = seeded.keys;
        report.seeding.push({ database: database.name, description: keyDb.description, keys: size, seconds: seeded.seconds });
        log(`  ${database.name}: seeded ${size.toLocaleString('en-US')} keys in ${seeded.seconds.toFixed(1)} s`);
      }
    }
    for (let repeat = 1; repeat <= config.repeats; repeat++) {
      for (const table of tables) await measureTable(table, repeat, config, log);
    }
    report.cases = tables.flatMap(casesOf);
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    log(`  key lookups failed: ${report.error}`);
    report.cases = tables.flatMap(casesOf);
  } finally {
    for (const table of tables) await table.keyDb.close().catch((error: unknown) => log(`  could not clean up a key database: ${String(error)}`));
  }
  report.flatness = flatness(report.cases);
  return report;
}

interface Table {
  database: 'sqlite' | 'postgres';
  size: number;
  keyDb: KeyDatabase;
  /** The seeded keys that verify (up to MISS_KEYS, spread over the table). */
  keys: string[];
  /** Runs by `${cache}/${concurrency}`. */
  runs: Map<string, VerificationRun[]>;
}

async function measureTable(table: Table, repeat: number, config: BenchConfig, log: (line: string) => void): Promise<void> {
  const { services } = table.keyDb;
  const warmKeys = table.keys.slice(0, WARM_KEYS);
  // A cache that never trusts an entry: every lookup reads storage, as for a key seen for the first time.
  const noCache = new KeyCache(services.storage, { maxEntries: 1, maxAgeMs: () => 0 });
  const verifier = { prefix: services.config.keyPrefix, cache: noCache, hash: (key: string) => services.keys.hash(key) };
  const modes = {
    warm: async (key: string) => (await verifyKey(keyVerifier(services), { credential: key, origin: undefined }, new Date())).ok,
    miss: async (key: string) => (await verifyKey(verifier, { credential: key, origin: undefined }, new Date())).ok,
  };
  for (const cache of ['warm', 'miss'] as const) {
    for (const concurrency of CONCURRENCY) {
      // The gateway trusts a cached row for 30 s: fill the cache again right before each warm run.
      if (cache === 'warm') for (const key of warmKeys) await modes.warm(key);
      const run = await measureVerifications({ verify: modes[cache], keys: cache === 'warm' ? warmKeys : table.keys, concurrency, durationS: config.keyScaleDurationS });
      const id = `${cache}/${concurrency}`;
      table.runs.set(id, [...(table.runs.get(id) ?? []), run]);
      log(`  ${table.database} ${table.size.toLocaleString('en-US')} keys, ${cache}, ${concurrency} in flight, run ${repeat}/${config.repeats}: ` +
        `${Math.round(run.perS).toLocaleString('en-US')} verifications/s, mean ${run.meanUs.toFixed(1)} µs, p99 ${run.p99Us.toFixed(1)} µs` +
        (run.otherCpuPct !== undefined && run.otherCpuPct >= 10 ? `, ⚠ other CPU ${Math.round(run.otherCpuPct)}%` : ''));
    }
  }
}

function casesOf(table: Table): KeyScaleCase[] {
  return [...table.runs.entries()].map(([id, samples]) => {
    const [cache, concurrency] = id.split('/') as ['warm' | 'miss', string];
    const of = (pick: (run: VerificationRun) => number | undefined) => {
      const values = samples.map(pick).filter((value): value is number => value !== undefined);
      return values.length > 0 ? median(values) : Number.NaN;
    };
    const other = of((run) => run.otherCpuPct);
    return {
      database: table.database,
      keys: table.size,
      cache,
      concurrency: Number(concurrency),
      runs: samples,
      median: { perS: of((run) => run.perS), meanUs: of((run) => run.meanUs), p50Us: of((run) => run.p50Us), p99Us: of((run) => run.p99Us), ...(Number.isNaN(other) ? {} : { otherCpuPct: other }) },
    };
  });
}

function flatness(cases: readonly KeyScaleCase[]): KeyScaleReport['flatness'] {
  const result: KeyScaleReport['flatness'] = [];
  for (const database of ['sqlite', 'postgres'] as const) {
    for (const cache of ['warm', 'miss'] as const) {
      const single = cases.filter((c) => c.database === database && c.cache === cache && c.concurrency === 1).sort((a, b) => a.keys - b.keys);
      const [smallest, largest] = [single[0], single[single.length - 1]];
      if (smallest && largest && largest.keys > smallest.keys) {
        result.push({ database, cache, fromKeys: smallest.keys, toKeys: largest.keys, ratio: largest.median.meanUs / smallest.median.meanUs });
      }
    }
  }
  return result;
}
