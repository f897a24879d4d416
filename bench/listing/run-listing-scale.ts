// Listings at scale (issue 12 item 4, SPEC §8): with a million keys and ten million usage records in
// PostgreSQL (BENCH_DATABASE_URL; a schema of its own, dropped afterwards), the console's three
// reads through the real HTTP API of a real server on a socket: the key list's first page, a search,
// and the 30-day usage chart (group_by=day). One request at a time, p50 and p95; goal p95 < 200 ms.
// Quick mode seeds 100k keys and 1M records.
import { buildApp } from '../../src/app.js';
import type { BenchConfig } from '../bench-config.js';
import type { ListingScaleReport } from '../bench-result.js';
import { openKeyDatabase, type KeyDatabase } from '../keys/key-database.js';
import { percentile } from '../percentile.js';
import { seedListingScale } from './seed-listing-scale.js';

/** Name of this part of the run in BENCH_TARGETS. */
export const LISTING_SCALE = 'listing';
const WARMUP = 10;

export const LISTING_METHOD =
  'Through the real HTTP API of a server on a loopback socket (Fastify, the full control-plane path: access-token check, query validation, storage), ' +
  'one request at a time with fetch from the same process; PostgreSQL is a local server, unpinned. Keys: all the personal keys of one user (the worst case for a listing). ' +
  'Usage: 1,000 keys × 4 models, spread evenly over the last 30 days; the chart reads the per-account hourly rollup.';

export async function runListingScale(config: BenchConfig, log: (line: string) => void): Promise<ListingScaleReport> {
  const report: ListingScaleReport = { method: LISTING_METHOD, cases: [], skipped: [] };
  if (!config.databaseUrl) {
    const line = 'listing at scale skipped: set BENCH_DATABASE_URL=postgres://… (it measures PostgreSQL)';
    log(`  ${line}`);
    report.skipped.push(line);
    return report;
  }
  let keyDb: KeyDatabase | undefined;
  try {
    keyDb = await openKeyDatabase(config.databaseUrl);
    const { services } = keyDb;
    report.seeding = await seedListingScale(services.storage.db, { accountId: keyDb.accountId, userId: keyDb.userId, keys: config.listingKeys, usageRecords: config.listingUsageRecords, now: new Date(), log });
    report.seeding.description = keyDb.description;
    log(`  seeded ${config.listingKeys.toLocaleString('en-US')} keys, ${config.listingUsageRecords.toLocaleString('en-US')} usage records and ${report.seeding.rollupRows.toLocaleString('en-US')} rollup rows in ${report.seeding.seconds.toFixed(0)} s`);
    const user = await services.storage.users.findById(keyDb.userId);
    const token = await services.accessTokens.issue(keyDb.userId, user!.tokenVersion);
    const app = await buildApp(services);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const requests = config.listingRequests;
      const cases = [
        { name: `key list, first page (100 of ${config.listingKeys.toLocaleString('en-US')})`, path: '/api/v1/auth/keys' },
        { name: 'key search by name (1 key in 5,000 matches)', path: '/api/v1/auth/keys?search=svc-4242-' },
        { name: 'key search by prefix (one key)', path: `/api/v1/auth/keys?search=tg_live_${(Math.floor(config.listingKeys / 2)).toString(16).padStart(8, '0')}` },
        { name: '30-day usage chart (group_by=day)', path: '/api/v1/usage?group_by=day' },
      ];
      for (const c of cases) {
        const samples: number[] = [];
        let rows = 0;
        for (let i = 0; i < WARMUP + requests; i++) {
          const started = performance.now();
          const response = await fetch(`${base}${c.path}`, { headers: { authorization: `Bearer ${token}` } });
          const body = (await response.json()) as unknown;
          const elapsed = performance.now() - started;
          if (response.status !== 200) throw new Error(`${c.path} answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
          rows = Array.isArray(body) ? body.length : ((body as { data?: unknown[] }).data?.length ?? 0);
          if (i >= WARMUP) samples.push(elapsed);
        }
        const result = { name: c.name, path: c.path, requests, rows, p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95) };
        report.cases.push(result);
        log(`  ${c.name}: p50 ${result.p50Ms.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms (${rows} rows)`);
      }
    } finally {
      await app.close();
    }
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    log(`  listing at scale failed: ${report.error}`);
  } finally {
    await keyDb?.close().catch((error: unknown) => log(`  could not drop the listing schema: ${String(error)}`));
  }
  return report;
}
